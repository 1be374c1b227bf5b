// A small glob matcher for base.paths: `*` and `?` stay within one path segment, `**` spans
// segments (and `**/` may match nothing), `{a,b}` alternates, `[abc]` is a class.

export function globToRegExp(glob: string): RegExp {
  let re = "";
  let i = 0;
  let braces = 0;
  const g = glob.replace(/^\.\//, "");
  while (i < g.length) {
    const c = g[i]!;
    if (c === "*") {
      if (g[i + 1] === "*") {
        const slash = g[i + 2] === "/";
        re += slash ? "(?:.*/)?" : ".*";
        i += slash ? 3 : 2;
        continue;
      }
      re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) re += "|";
    else if (c === "[") {
      const end = g.indexOf("]", i + 1);
      if (end > i) {
        re += `[${g.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end + 1;
        continue;
      }
      re += "\\[";
    } else re += c.replace(/[.+^$()|\\\]]/g, "\\$&");
    i++;
  }
  return new RegExp(`^${re}$`);
}
