/**
 * Access paths as types: the paths of a config type `T` (`a.b`, `a[0]`, `a[0].b`) and the type
 * found at each, for a typed `Config<T>`'s `get` and `getSync`.
 *
 * @module
 */

/**
 * How many steps of a path {@linkcode ConfigPath} spells out; past them a path may go on with
 * any text. Keeps the checker's work bounded on deep and recursive types.
 */
export type PathDepth = 8;

/**
 * How many steps of a path {@linkcode ConfigValue} follows; the value past them is `unknown`.
 * Keeps the checker's work bounded where the path is not a literal.
 */
export type ValueDepth = 16;

/** A countdown of path steps: `PathCountdown[N]` is `N - 1` (`never` below 0). */
export type PathCountdown = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * Whether `T` is `unknown` (or `any`): a config without a type, whose paths are any string.
 *
 * @typeParam T The config type.
 */
export type IsUntyped<T> = unknown extends T ? true : false;

/**
 * A key an access path can spell: not empty, without `.`, `[` or `]` (a config key with those
 * is reached through its parent mapping).
 *
 * @typeParam K A key.
 */
export type PathKey<K> = K extends string
  ? K extends "" | `${string}.${string}` | `${string}[${string}` | `${string}]${string}` ? never
  : K
  : never;

/**
 * What may follow a step that reached a value of type `V`: `.key...` into a mapping,
 * `[n]...` into a sequence; nothing into a scalar or bytes. `D` counts the steps left.
 *
 * @typeParam V The value reached.
 * @typeParam D Steps left to spell out.
 */
export type PathTail<V, D extends number> = [D] extends [never] ? `.${string}` | `[${string}`
  : V extends Uint8Array ? never
  : V extends readonly unknown[] ? IndexTail<V, D>
  : V extends object ? { [K in keyof V]-?: `.${KeyPaths<V, K, D>}` }[keyof V]
  : never;

/**
 * The paths below an array or tuple `V`: `[n]` and what follows it.
 *
 * @typeParam V The array or tuple.
 * @typeParam D Steps left to spell out.
 */
export type IndexTail<V extends readonly unknown[], D extends number> = number extends V["length"]
  ? `[${number}]` | `[${number}]${PathTail<V[number], PathCountdown[D]>}`
  : {
    [I in keyof V & `${number}`]-?:
      | `[${I}]`
      | `[${I}]${PathTail<Exclude<V[I], undefined>, PathCountdown[D]>}`;
  }[keyof V & `${number}`];

/**
 * The paths that start at key `K` of the mapping `V`: the key itself and what follows it.
 *
 * @typeParam V The mapping.
 * @typeParam K One of its keys.
 * @typeParam D Steps left to spell out.
 */
export type KeyPaths<V, K extends keyof V, D extends number> = PathKey<K> extends never ? never
  : PathKey<K> | `${PathKey<K>}${PathTail<Exclude<V[K], undefined>, PathCountdown[D]>}`;

/**
 * Every access path of a config type `T` (`""` for the whole config): dotted keys and `[n]`
 * indices, e.g. `"db" | "db.port" | "servers" | "servers[${number}]" | ...`; any `string` for
 * a config without a type.
 *
 * @typeParam T The config type.
 *
 * @example Paths of a small config type
 * ```ts
 * import type { ConfigPath } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * type App = { db: { port: number }; hosts: string[] };
 * // Exactly these: the whole config, each key, and an index of the list.
 * type Expected = "" | "db" | "db.port" | "hosts" | `hosts[${number}]`;
 * type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
 * const exact: Same<ConfigPath<App>, Expected> = true; // compiles only if the types are equal
 * // @ts-expect-error: not a path of App
 * const wrong: ConfigPath<App> = "db.prot";
 * assert.deepEqual([exact, wrong], [true, "db.prot"]);
 * ```
 */
export type ConfigPath<T> = IsUntyped<T> extends true ? string
  : "" | { [K in keyof T]-?: KeyPaths<T, K, PathDepth> }[keyof T];

/**
 * The value of key `K` in `T` (`never` where `T` has no such key, `unknown` for `unknown`).
 *
 * @typeParam T A mapping type (or a union of them).
 * @typeParam K The key.
 */
export type ValueOfKey<T, K extends string> = unknown extends T ? unknown
  : T extends null | undefined | Uint8Array | readonly unknown[] ? never
  : T extends object ? (K extends keyof T ? Exclude<T[K], undefined>
      : string extends keyof T ? Exclude<T[string & keyof T], undefined>
      : never)
  : never;

/**
 * The item at index text `I` of the array or tuple `T`.
 *
 * @typeParam T An array or tuple type (or a union with one).
 * @typeParam I The index as text.
 */
export type ValueOfIndex<T, I extends string> = unknown extends T ? unknown
  : T extends readonly unknown[]
    ? (I extends keyof T ? Exclude<T[I], undefined> : Exclude<T[number], undefined>)
  : never;

/**
 * The type at the rest `P` of an access path, from a value of type `T`.
 *
 * @typeParam T The value the path starts at.
 * @typeParam P The rest of the path.
 * @typeParam D Steps left to follow.
 */
export type ValueAtPath<T, P extends string, D extends number = ValueDepth> = [D] extends [never]
  ? unknown
  : P extends "" ? T
  : P extends `[${infer I}]${infer R}`
    ? ValueAtPath<ValueOfIndex<T, I>, R extends `.${infer S}` ? S : R, PathCountdown[D]>
  : P extends `${infer K}.${infer R}`
    ? K extends `${infer K1}[${infer R1}`
      ? ValueAtPath<ValueOfKey<T, K1>, `[${R1}.${R}`, PathCountdown[D]>
    : ValueAtPath<ValueOfKey<T, K>, R, PathCountdown[D]>
  : P extends `${infer K}[${infer R}` ? ValueAtPath<ValueOfKey<T, K>, `[${R}`, PathCountdown[D]>
  : ValueOfKey<T, P>;

/**
 * The type of the value at access path `P` of a config type `T` (`T` itself for `""`);
 * `unknown` for a config without a type.
 *
 * @typeParam T The config type.
 * @typeParam P The access path.
 *
 * @example The type at a path
 * ```ts
 * import type { ConfigValue } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * type App = { db: { port: number }; servers: { host: string }[] };
 * const port: ConfigValue<App, "db.port"> = 5432;
 * const host: ConfigValue<App, "servers[0].host"> = "a";
 * // @ts-expect-error: a number is not a string
 * const wrong: ConfigValue<App, "servers[1].host"> = 1;
 * assert.deepEqual([port, host, wrong], [5432, "a", 1]);
 * ```
 */
export type ConfigValue<T, P extends string> = IsUntyped<T> extends true ? unknown
  : ValueAtPath<T, P>;

/**
 * The resolved config as `resolveAll()` returns it: `T`, or a plain object for a config without
 * a type.
 *
 * @typeParam T The config type.
 */
export type ConfigData<T> = IsUntyped<T> extends true ? Record<string, unknown> : T;

/**
 * A value of type `T` as `get(path, { redact: true })` returns it: each part that may be
 * sensitive may come back as `"[REDACTED]"` instead, a scalar or a whole mapping or sequence
 * (a sensitive value asked for itself is replaced whole). `unknown` stays `unknown`.
 *
 * @typeParam T The type of the value.
 *
 * @example What a redacted read may hold
 * ```ts
 * import { Config, type Redacted, ResolvedValue } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * type App = { db: { user: string; port: number } };
 * const config = Config.loads<App>("db:\n  user: app\n  port: ${vault:port}\n", {
 *   resolvers: { vault: () => new ResolvedValue(5432, { sensitive: true }) },
 * });
 * const db: Redacted<App["db"]> = await config.get("db", { redact: true });
 * assert.deepEqual(db, { user: "app", port: "[REDACTED]" });
 * // @ts-expect-error: the port may be "[REDACTED]": not a number
 * const port: number = db === "[REDACTED]" ? 0 : db.port;
 * assert.equal(port, "[REDACTED]");
 * ```
 */
export type Redacted<T> = unknown extends T ? unknown
  : T extends Uint8Array ? T | "[REDACTED]"
  : T extends object ? { [K in keyof T]: Redacted<T[K]> } | "[REDACTED]"
  : T | "[REDACTED]";
