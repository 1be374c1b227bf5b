// Aligned plain-text tables for people (kubectl style: upper-case headers, columns separated by
// three spaces, no trailing spaces). Cells may carry ANSI colours: widths count visible characters.

export type Align = "left" | "right";

export interface TableOptions {
  /** Per column; default left. */
  align?: readonly Align[];
  /** Applied to the header row after padding (e.g. bold on a terminal). */
  header?: (s: string) => string;
  /** Spaces between columns; default 3. */
  gap?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Width of a cell as a terminal shows it: ANSI sequences take no room, code points take one. */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, "")].length;
}

/** Pads `s` to `width` visible characters. */
export function pad(s: string, width: number, align: Align = "left"): string {
  const fill = " ".repeat(Math.max(0, width - visibleWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

/** A table as lines; empty cells print as `-`; line breaks inside a cell become spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const gap = " ".repeat(opts.gap ?? 3);
  const clean = (s: string | undefined) => (s === undefined || s === "" ? "-" : s.replace(/\r?\n/g, " "));
  const all = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => clean(r[i])))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visibleWidth(r[i]!))));
  const lines = all.map((r, ri) => {
    const cells = r.map((c, i) => {
      const align = opts.align?.[i] ?? "left";
      // The last column is not padded on the right: no trailing spaces.
      return i === r.length - 1 && align === "left" ? c : pad(c, widths[i]!, align);
    });
    const line = cells.join(gap).replace(/\s+$/, "");
    return ri === 0 && opts.header ? opts.header(line) : line;
  });
  return `${lines.join("\n")}\n`;
}

/** A GitHub-flavoured Markdown table; `|` inside cells is escaped. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string | undefined) => (s === undefined || s === "" ? "–" : s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>"));
  const out = [`| ${headers.map(cell).join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`];
  for (const r of rows) out.push(`| ${headers.map((_, i) => cell(r[i])).join(" | ")} |`);
  return `${out.join("\n")}\n`;
}
