// Path operations on the in-memory preset files of browser builds (see fs.browser.ts): POSIX
// paths, rooted at "/", which stands for the current directory too.

function normalizeParts(parts: string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out;
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

function normalize(p: string): string {
  const parts = normalizeParts(p.split("/"));
  const body = parts.join("/");
  if (isAbsolute(p)) return `/${body}`;
  return body === "" ? "." : body;
}

function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

function resolve(...parts: string[]): string {
  let resolved = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(resolved); i--) {
    const part = parts[i]!;
    if (part !== "") resolved = resolved === "" ? part : `${part}/${resolved}`;
  }
  return `/${normalizeParts(resolved.split("/")).join("/")}`;
}

function dirname(p: string): string {
  const parts = p.replace(/\/+$/, "").split("/");
  parts.pop();
  const dir = parts.join("/");
  if (dir === "") return isAbsolute(p) ? "/" : ".";
  return dir;
}

function basename(p: string, ext?: string): string {
  const base = p.replace(/\/+$/, "").split("/").pop() ?? "";
  return ext !== undefined && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
}

const path = { sep: "/", delimiter: ":", isAbsolute, normalize, join, resolve, dirname, basename, relative };

export default path;
