// Tests of the built-in resolver catalogue: every built-in declares the arguments it accepts.

import assert from "node:assert/strict";
import { Config, ParseError } from "../../mod.ts";
import { BUILTIN_RESOLVERS } from "../../resolvers/builtins.ts";

/** The documented keywords of `http` and `https` (README "Resolvers"). */
const HTTP_KEYWORDS = [
  "timeout",
  "header",
  "parse",
  "proxy",
  "ca_bundle",
  "extra_ca_bundle",
  "client_cert",
  "client_key",
  "key_password",
  "insecure",
];

/** The keyword arguments each built-in documents (README "Resolvers"). */
const KEYWORDS: Record<string, string[]> = {
  env: [],
  file: ["encoding", "parse"],
  json: [],
  yaml: [],
  split: ["delim", "trim", "skip_empty", "limit"],
  csv: ["header", "delim", "trim"],
  base64: [],
  extract: ["path", "password"],
  http: HTTP_KEYWORDS,
  https: HTTP_KEYWORDS,
  ssm: ["region", "profile", "endpoint"],
  s3: ["parse", "region", "profile", "endpoint"],
  cfn: ["region", "profile", "endpoint"],
};

async function failure(config: Config, path: string): Promise<ParseError> {
  try {
    await config.get(path);
  } catch (e) {
    assert.ok(e instanceof ParseError, `${path}: ${String(e)}`);
    return e;
  }
  throw new Error(`get(${path}) succeeded`);
}

Deno.test("every built-in refuses a second positional argument and an unknown keyword", async () => {
  assert.deepEqual(Object.keys(KEYWORDS).sort(), Object.keys(BUILTIN_RESOLVERS).sort());
  for (const [name, keywords] of Object.entries(KEYWORDS)) {
    const config = Config.loads(
      `two: \${${name}:a/b,c/d}\nunknown: \${${name}:a/b,no_such_keyword=1}\n`,
      { allowHttp: true, basePath: "." },
    );
    const accepted = `Accepted keywords: ${[...keywords, "default", "sensitive"].join(", ")}`;
    const two = await failure(config, "two");
    assert.equal(two.code, "TOO_MANY_ARGUMENTS", name);
    assert.deepEqual(two.detail, [accepted], name);
    const unknown = await failure(config, "unknown");
    assert.equal(unknown.code, "UNKNOWN_KEYWORD", name);
    assert.deepEqual(unknown.detail, [accepted], name);
  }
});
