/**
 * The `yaml` transformation resolver: `${yaml:<text>}` parses one YAML 1.2 document of any
 * root type.
 *
 * @module
 */

import { ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { parseYamlValue } from "../src/yaml.ts";
import { previewDetail } from "./_args.ts";

/**
 * The `yaml` resolver: parses its argument with the same YAML 1.2 core-schema parser, single
 * document rule and alias limits as config files, but any root type is accepted (mapping,
 * sequence, scalar); empty or comment-only text is `null`.
 *
 * @throws {ParseError} "Invalid YAML at line L, column C: ..."; the offending line and an
 * `Input preview:` line are shown only when the input did not come from a sensitive value, and
 * then the reason quotes no part of the input either (no key, tag or alias name).
 *
 * @example Parse a mapping
 * ```ts
 * import { yamlResolver } from "./yaml.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["a: 1"], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.deepEqual(yamlResolver.resolve("name: Bob\nage: 25", call), { name: "Bob", age: 25 });
 * ```
 *
 * @example Scalars and empty text
 * ```ts
 * import { yamlResolver } from "./yaml.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: [""], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.equal(yamlResolver.resolve("", call), null);
 * assert.equal(yamlResolver.resolve("yes", call), "yes");
 * ```
 */
export const yamlResolver: ResolverObject = {
  synchronous: true,
  params: { positional: 1, keywords: [] },
  resolve(key: string, call: ResolverCall): unknown {
    const sensitive = call.sensitiveInput;
    try {
      return parseYamlValue(key, { preview: !sensitive, sensitive }) ?? null;
    } catch (e) {
      if (!(e instanceof ParseError) || sensitive) throw e;
      e.detail.push(...previewDetail(key, call));
      e.refresh();
      throw e;
    }
  },
};
