// Helpers of the resolvers' `describe` hooks (what `holoconf plan` shows; private).

/** Orders texts as plans list them: numbers inside by value (`p2` before `p10`). */
export function byText(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** `1 name`, `2 names`. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Splits at the first `/` when there is text on both sides. */
export function splitFirstSlash(arg: string): [string, string] | undefined {
  const i = arg.indexOf("/");
  if (i <= 0 || i === arg.length - 1) return undefined;
  return [arg.slice(0, i), arg.slice(i + 1)];
}
