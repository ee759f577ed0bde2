// Test helper: every way a user or a logger can see an error, and an assertion that none of
// them shows a secret (verbatim, in another letter case, or URL-encoded).

import assert from "node:assert/strict";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { inspect } from "node:util";

/** What `console.log(e)` prints (through Node's console, as a Node user would see it). */
function consoleLogOf(e: unknown): string {
  let out = "";
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  new Console({ stdout }).log(e);
  return out;
}

/** Every string reachable through own data properties (getters are not called). */
function ownStrings(value: unknown, out: string[], seen: Set<unknown>): void {
  if (typeof value === "string") {
    out.push(value);
    return;
  }
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return;
  if (seen.has(value)) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string") out.push(key);
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && "value" in d) ownStrings(d.value, out, seen);
  }
}

/**
 * The views of an error: message, `String(e)`, stack, `JSON.stringify`, `Deno.inspect`,
 * `util.inspect` (hidden fields included), `console.log`, and every own field, deeply (causes,
 * `errors`, `failures`...).
 */
export function errorViews(e: unknown): Record<string, string> {
  const fields: string[] = [];
  ownStrings(e, fields, new Set());
  return {
    message: e instanceof Error ? e.message : "",
    string: String(e),
    stack: e instanceof Error ? String(e.stack) : "",
    json: JSON.stringify(e) ?? "",
    denoInspect: Deno.inspect(e, { depth: Infinity, showHidden: true }),
    utilInspect: inspect(e, { depth: Infinity, showHidden: true }),
    consoleLog: consoleLogOf(e),
    ownFields: fields.join("\n"),
  };
}

/** The forms of a secret that must not appear: itself and its URL encodings, any letter case. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), encodeURI(secret)])]
    .map((f) => f.toLowerCase());
}

/** Fails when any view of `e` shows any form of any of `secrets`. */
export function assertNotShown(e: unknown, secrets: readonly string[], where = "error"): void {
  for (const [view, text] of Object.entries(errorViews(e))) {
    const lower = text.toLowerCase();
    for (const secret of secrets) {
      for (const f of forms(secret)) {
        assert.ok(!lower.includes(f), `${where}: ${view} shows ${JSON.stringify(f)}:\n${text}`);
      }
    }
  }
}
