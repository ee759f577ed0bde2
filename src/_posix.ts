// Small POSIX path helpers (pure; no runtime API).

/** True for `/abs`. */
export function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

/** Normalises `.`/`..` and repeated slashes. */
export function normalize(p: string): string {
  const abs = isAbsolute(p);
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const joined = out.join("/");
  return abs ? "/" + joined : joined === "" ? "." : joined;
}

/** Resolves `p` against `base` (absolute `p` wins). */
export function resolve(base: string, p: string): string {
  return isAbsolute(p) ? normalize(p) : normalize(`${base}/${p}`);
}

/** Directory part of a path. */
export function dirname(p: string): string {
  const n = normalize(p);
  const i = n.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return n.slice(0, i);
}

/** True when `child` is `parent` or inside it (both absolute, normalised). */
export function isWithin(parent: string, child: string): boolean {
  if (parent === "/") return child.startsWith("/");
  return child === parent || child.startsWith(parent + "/");
}

/** `target` relative to `from` (both absolute). */
export function relative(from: string, target: string): string {
  const a = normalize(from).split("/").filter(Boolean);
  const b = normalize(target).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const up = a.slice(i).map(() => "..");
  const rest = [...up, ...b.slice(i)].join("/");
  return rest === "" ? "." : rest;
}
