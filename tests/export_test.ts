// Tests of export and redaction (SPEC §10, §1): toObject/toYaml/toJson, raw by default,
// resolve and redact, formatting, and that a Config never prints a secret.

import assert from "node:assert/strict";
import { Config, ResolvedValue, Schema } from "../mod.ts";
import { exportText } from "../src/export.ts";

const SECRET = "pa55-w0rd-xyz";

function secretConfig(calls: string[] = []): Config {
  return Config.loads(
    [
      "lit: literal",
      "same_as_secret: " + SECRET,
      "pw: ${vault:pw}",
      "url: postgres://user:${pw}@host/db",
      "creds: ${vaultmap:x}",
      "copy: ${creds}",
      "port: ${plain:8080}",
      "nested:",
      "  list:",
      "    - ${pw}",
      "    - keep",
    ].join("\n"),
    {
      resolvers: {
        vault: (k: string) => {
          calls.push(k);
          return Promise.resolve(new ResolvedValue(SECRET, { sensitive: true }));
        },
        vaultmap: () => new ResolvedValue({ user: "u", password: SECRET }, { sensitive: true }),
        plain: (k: string) => Number(k),
      },
    },
  );
}

Deno.test("export is raw by default and resolves nothing", async () => {
  const calls: string[] = [];
  const config = secretConfig(calls);
  const raw = await config.toObject();
  assert.equal(raw.pw, "${vault:pw}");
  assert.equal(raw.url, "postgres://user:${pw}@host/db");
  assert.deepEqual(raw.nested, { list: ["${pw}", "keep"] });
  assert.match(await config.toYaml(), /pw: \$\{vault:pw\}/);
  assert.match(await config.toJson(), /"pw": "\$\{vault:pw\}"/);
  assert.deepEqual(calls, []);
});

Deno.test("resolve: true resolves everything (without redaction)", async () => {
  const config = secretConfig();
  const out = await config.toObject({ resolve: true });
  assert.equal(out.pw, SECRET);
  assert.equal(out.url, `postgres://user:${SECRET}@host/db`);
  assert.deepEqual(out.creds, { user: "u", password: SECRET });
  assert.equal(out.port, 8080);
});

Deno.test("redact: true implies resolve and redacts whole, structured and concatenated sensitive values", async () => {
  const config = secretConfig();
  const out = await config.toObject({ redact: true });
  assert.deepEqual(out, {
    lit: "literal",
    same_as_secret: SECRET, // literal YAML values are never redacted
    pw: "[REDACTED]",
    url: "[REDACTED]",
    creds: "[REDACTED]",
    copy: "[REDACTED]",
    port: 8080,
    nested: { list: ["[REDACTED]", "keep"] },
  });
  for (
    const text of [await config.toYaml({ redact: true }), await config.toJson({ redact: true })]
  ) {
    assert.equal(text.split(SECRET).length, 2, "only the literal copy of the text appears");
    assert.ok(!text.includes("password"), text);
  }
});

Deno.test("redact: true with an explicit resolve: false gives the raw tree", async () => {
  const calls: string[] = [];
  const config = secretConfig(calls);
  const out = await config.toObject({ redact: true, resolve: false });
  assert.equal(out.pw, "${vault:pw}");
  assert.deepEqual(calls, []);
});

Deno.test("export goes through the memo", async () => {
  const calls: string[] = [];
  const config = secretConfig(calls);
  await config.get("url");
  await config.toObject({ resolve: true });
  await config.toYaml({ redact: true });
  await config.toJson({ redact: true });
  assert.deepEqual(calls, ["pw"]);
});

Deno.test("a failing resolver makes a resolved export reject", async () => {
  const config = Config.loads("a: ${boom:x}\n", {
    resolvers: {
      boom: () => {
        throw new Error("nope");
      },
    },
  });
  await assert.rejects(config.toObject({ resolve: true }), /Resolver 'boom' error: nope/);
  assert.deepEqual(await config.toObject(), { a: "${boom:x}" });
});

Deno.test("YAML output is block style; JSON is 2-space indented", async () => {
  const config = Config.loads("a:\n  b: [1, 2]\n  c: {d: x}\ne: ${a.b}\n");
  assert.equal(
    await config.toYaml({ resolve: true }),
    "a:\n  b:\n    - 1\n    - 2\n  c:\n    d: x\ne:\n  - 1\n  - 2\n",
  );
  assert.equal(
    await config.toJson({ resolve: true }),
    '{\n  "a": {\n    "b": [\n      1,\n      2\n    ],\n    "c": {\n      "d": "x"\n    }\n  },\n' +
      '  "e": [\n    1,\n    2\n  ]\n}',
  );
});

Deno.test("bytes export as base64 in YAML and JSON and as Uint8Array in toObject", async () => {
  const config = Config.loads("b: ${bytes:x}\n", {
    resolvers: { bytes: () => new Uint8Array([0xff, 0x00, 0x41]) },
  });
  const obj = await config.toObject({ resolve: true });
  assert.deepEqual(obj.b, new Uint8Array([0xff, 0x00, 0x41]));
  assert.equal(await config.toYaml({ resolve: true }), "b: /wBB\n");
  assert.equal(await config.toJson({ resolve: true }), '{\n  "b": "/wBB"\n}');
});

Deno.test("key order is kept in exports", async () => {
  const config = Config.loads("z: 1\na: 2\nm: ${z}\n");
  assert.deepEqual(Object.keys(await config.toObject({ resolve: true })), ["z", "a", "m"]);
  assert.equal(await config.toYaml({ resolve: true }), "z: 1\na: 2\nm: 1\n");
});

Deno.test("an exported object is a copy: mutating it does not change the config", async () => {
  const config = Config.loads("a:\n  b: 1\n");
  const out = await config.toObject({ resolve: true });
  (out.a as Record<string, unknown>).b = 2;
  assert.deepEqual(await config.toObject({ resolve: true }), { a: { b: 1 } });
  const raw = await config.toObject();
  (raw.a as Record<string, unknown>).b = 3;
  assert.equal(config.getRaw("a.b"), 1);
});

Deno.test("an empty config exports as {} in YAML and JSON", async () => {
  const config = Config.loads("");
  assert.equal(await config.toYaml(), "{}\n");
  assert.equal(await config.toJson(), "{}");
});

Deno.test("exportText formats plain data", () => {
  assert.equal(exportText({ a: [1, { b: null }] }, "yaml"), "a:\n  - 1\n  - b: null\n");
  assert.equal(exportText({ n: NaN }, "json"), '{\n  "n": null\n}');
  const proto = JSON.parse('{"__proto__": {"x": 1}}');
  assert.equal(exportText(proto, "json"), '{\n  "__proto__": {\n    "x": 1\n  }\n}');
});

Deno.test("Deno.inspect and JSON.stringify of a Config show no secret, even after resolution", async () => {
  const config = secretConfig();
  await config.resolveAll();
  assert.equal(config.getSync("pw"), SECRET);
  const texts = [
    Deno.inspect(config),
    Deno.inspect(config, { depth: 10, showHidden: true }),
    Deno.inspect({ wrapped: config }),
    JSON.stringify(config),
    JSON.stringify({ config }),
    String(
      (config as unknown as Record<symbol, () => string>)[
        Symbol.for("nodejs.util.inspect.custom")
      ]!(),
    ),
  ];
  for (const t of texts) {
    assert.ok(!t.includes(SECRET.slice(0, 6)), t);
  }
  assert.match(Deno.inspect(config), /Config/);
});

Deno.test({
  name: "schema defaults apply in exports and resolveAll as in get",
  fn: async () => {
    const schema = Schema.fromObject({
      type: "object",
      properties: {
        a: { type: "integer", default: 5 },
        extra: { type: "string", default: "dflt" },
      },
    });
    const config = Config.loads("a: null\nr: ${a}\n", { schema });
    assert.equal(await config.get("a"), 5);
    assert.equal(await config.get("extra"), "dflt");
    const expected = { a: 5, r: 5, extra: "dflt" };
    assert.deepEqual(await config.toObject({ resolve: true }), expected);
    assert.deepEqual(await config.resolveAll(), expected);
    assert.deepEqual(await config.get(""), expected);
  },
});
