// Paths into a document, one formatter per notation:
// - a field path as people read it in a problem: `spec.workloads[0].image` (formatPath);
// - an RFC 6901 JSON pointer, as patches and policy.allowPatchPaths write it: `/spec/template`
//   (pointerOf, pointerSegments, pointerToken).

export type PathSegment = string | number;

/** `["spec","workloads",0,"image"]` → `spec.workloads[0].image`; a key that is not a plain word is quoted: `labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One key as a JSON-pointer token (RFC 6901 section 3): `~` → `~0`, `/` → `~1`. */
export function pointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The pointer of `segments`: `["metadata","labels","a/b"]` → `/metadata/labels/a~1b`; `[]` → `` (the whole document). */
export function pointerOf(segments: readonly PathSegment[]): string {
  return segments.map((s) => `/${pointerToken(String(s))}`).join("");
}

/** RFC 6901: a pointer's segments, unescaped (`~1` before `~0`, section 4). */
export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
