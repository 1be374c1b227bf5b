// Printing problems: plain text for people, GitHub Actions annotations for pull-request checks.
import { codeInfo, formatProblem, isError, sortProblems, type Problem } from "../problems.ts";
import { paint, type Io } from "./io.ts";

export function printProblems(io: Io, problems: readonly Problem[], opts: { dir?: string } = {}): void {
  const c = paint(io);
  for (const p of sortProblems(problems)) {
    let text = formatProblem(p);
    if (p.severity === "error") text = text.replace(/(error|policy violation|internal error):/, (m) => c.red(m));
    else if (p.severity === "warning") text = text.replace(/warning:/, (m) => c.yellow(m));
    else text = text.replace(/note:/, (m) => c.cyan(m));
    void opts;
    io.stderr(`${text}\n`);
  }
}

/** `::error file=F,line=L,col=C,title=T::message` — GitHub escapes: % \r \n, and , : in properties. */
export function githubAnnotations(problems: readonly Problem[], dirPrefix: string): string {
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const prop = (s: string) => esc(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  let out = "";
  for (const p of sortProblems(problems)) {
    const level = p.severity === "error" ? "error" : p.severity === "warning" ? "warning" : "notice";
    const props: string[] = [];
    if (p.file && !p.file.startsWith("$(")) props.push(`file=${prop(dirPrefix + p.file)}`);
    if (p.line) props.push(`line=${p.line}`);
    if (p.column) props.push(`col=${p.column}`);
    props.push(`title=${prop(`kubefork ${p.kind === "policy" ? "policy" : "validate"}${p.path ? `: ${p.path}` : ""}`)}`);
    const msg = [p.object, p.message].filter(Boolean).join(": ") + (p.code ? ` [${p.code}]` : "") + (p.hint ? `\nhint: ${p.hint}` : "");
    out += `::${level} ${props.join(",")}::${esc(msg)}\n`;
  }
  return out;
}

/**
 * `validate --format json`: every problem as a value, sorted, for tools: its code and the code's
 * name, the file, line, column and document, the field path, and the object as a structured
 * reference (apiVersion, kind, namespace, name, file, index, line) where there is one. No stacks.
 */
export function problemsJson(problems: readonly Problem[]): string {
  const list = sortProblems(problems).map(({ stack: _stack, ...p }) => ({ ...p, name: codeInfo(p.code).name }));
  return `${JSON.stringify({ valid: !problems.some(isError), problems: list }, null, 2)}\n`;
}

export function summary(problems: readonly Problem[]): string {
  const n = (sev: string) => problems.filter((p) => p.severity === sev).length;
  const e = n("error");
  const w = n("warning");
  const parts = [`${e} error${e === 1 ? "" : "s"}`, `${w} warning${w === 1 ? "" : "s"}`];
  return parts.join(", ");
}
