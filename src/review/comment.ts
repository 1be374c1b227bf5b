// The pull-request comment (`kubefork comment`): one body for every fork a pull request changes,
// found again by its hidden marker so a workflow updates one comment instead of adding one per push.
// Pure: the sections come in (each fork's `explain` Markdown, or its problems), the body goes out.
import { formatProblem, sortProblems, type Problem } from "../problems.ts";

/** The first line of the body: how a workflow finds the comment to update. */
export const COMMENT_MARKER = "<!-- kubefork:pull-request-comment -->";

export type CommentSection =
  | { id: string; kind: "explained"; markdown: string }
  | { id: string; kind: "invalid"; problems: readonly Problem[] }
  | { id: string; kind: "removed" };

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function formatComment(sections: readonly CommentSection[]): string {
  const out = [COMMENT_MARKER, ""];
  if (sections.length === 0) out.push("kubefork: this pull request changes no fork.", "");
  for (const s of [...sections].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (s.kind === "explained") out.push(s.markdown.trimEnd(), "");
    else if (s.kind === "removed")
      out.push(`### kubefork: fork ${code(s.id)} removed`, "", "> [!NOTE]", "> Its file is gone: Argo CD prunes the fork's objects when this pull request merges.", "");
    else
      out.push(
        `### kubefork: fork ${code(s.id)} does not render`,
        "",
        "> [!CAUTION]",
        "> Its Application fails (Argo CD keeps what runs) and the shared render leaves it out until this is fixed:",
        "",
        "```",
        ...sortProblems(s.problems).map(({ stack: _stack, ...p }) => formatProblem(p)),
        "```",
        "",
      );
  }
  return `${out.join("\n").trimEnd()}\n`;
}
