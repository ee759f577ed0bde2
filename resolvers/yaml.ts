/**
 * The `yaml` transformation resolver: `${yaml:<text>}` parses one YAML 1.2 document of any
 * root type.
 *
 * @module
 */

import { ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { parseYamlValue } from "../src/yaml.ts";
import { previewDetail, REDACTED } from "./_args.ts";

const QUOTED_REGEXP = /'[^'\n]*'|"[^"\n]*"|`[^`\n]*`/g;

/**
 * The `yaml` resolver: parses its argument with the same YAML 1.2 core-schema parser, single
 * document rule and alias limits as config files, but any root type is accepted (mapping,
 * sequence, scalar); empty or comment-only text is `null`.
 *
 * @throws {ParseError} "Invalid YAML at line L, column C: ..."; the offending line and an
 * `Input preview:` line are shown only when the input did not come from a sensitive value.
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
  resolve(key: string, call: ResolverCall): unknown {
    try {
      return parseYamlValue(key, { preview: !call.sensitiveInput }) ?? null;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      if (call.sensitiveInput) {
        // Some reasons quote part of the input (a duplicate key, a tag, an alias name).
        e.headline = e.headline.replace(QUOTED_REGEXP, `'${REDACTED}'`);
        e.detail = [];
      } else {
        e.detail.push(...previewDetail(key, call));
      }
      e.refresh();
      throw e;
    }
  },
};
