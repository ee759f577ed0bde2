// Tests of export and redaction (SPEC §10, §1): toObject/toYaml/toJson, raw by default,
// resolve and redact, formatting, and that a Config never prints a secret.

import assert from "node:assert/strict";
import fc from "fast-check";
import { dump } from "js-yaml";
import { Config, ResolvedValue, Schema } from "../mod.ts";
import { exportText } from "../src/export.ts";
import { parseYamlValue } from "../src/yaml.ts";
import { noHang, until } from "./_async.ts";

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

// --- large strings ------------------------------------------------------------------------

const FOUR_MB = 4 * 1024 * 1024;

/** Dumps `data` as YAML and parses it back; returns the text. */
function roundTrip(data: unknown): string {
  const text = exportText(data, "yaml");
  assert.deepEqual(parseYamlValue(text), data);
  return text;
}

Deno.test("a 4 MB string dumps (plain, quoted, literal) and parses back to itself", () => {
  const letters = "a".repeat(FOUR_MB);
  assert.ok(roundTrip({ s: letters }).startsWith("s: aaaa"));
  const spaced = "x: #y ".repeat(FOUR_MB / 6);
  assert.ok(roundTrip({ s: spaced }).startsWith('s: "x: #y x: #y'));
  const digits = "1".repeat(FOUR_MB); // plain would read back as a number
  assert.ok(roundTrip({ d: digits }).startsWith('d: "1111'));
  assert.ok(roundTrip({ root: [letters] }).startsWith("root:\n  - aaaa"));
  assert.ok(roundTrip(letters).startsWith("aaaa"));
  // Escaped in pieces: a piece never ends inside a surrogate pair.
  const astral = roundTrip({ s: "x" + "\u{1F600}".repeat(FOUR_MB / 2) });
  assert.ok(!astral.includes("\\uD83D"), "a surrogate pair was split");
});

Deno.test("a string that looks like a large-string placeholder is never taken for one", () => {
  const getRandomValues = crypto.getRandomValues;
  let calls = 0;
  // The first tag drawn is all zeros, which the data below already holds.
  crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
    calls++;
    if (array instanceof Uint8Array) array.fill(calls === 1 ? 0 : 1);
    return array;
  }) as typeof crypto.getRandomValues;
  try {
    const data = {
      fake: "holoconf-0000000000000000-0-end",
      big: "b".repeat(100_000),
      [`holoconf-0000000000000000-1-end`]: 1,
    };
    roundTrip(data);
    assert.equal(calls, 2);
  } finally {
    crypto.getRandomValues = getRandomValues;
  }
});

Deno.test("a 4 MB string with newlines dumps as a literal block and parses back to itself", () => {
  const lines = "line one\n".repeat(Math.ceil(FOUR_MB / 9));
  const text = roundTrip({ a: { b: lines } });
  assert.ok(text.startsWith("a:\n  b: |\n    line one\n    line one\n"), text.slice(0, 80));
  const marks = "- a: b # c\n".repeat(Math.ceil(FOUR_MB / 11)); // indicators stay text
  assert.ok(roundTrip({ m: marks }).startsWith("m: |\n  - a: b # c\n"));
  // Chomping: no final newline, several final newlines, and leading empty lines.
  assert.ok(roundTrip({ s: lines + "end" }).startsWith("s: |-\n"));
  assert.ok(roundTrip({ s: lines + "\n\n" }).startsWith("s: |+\n"));
  assert.ok(roundTrip({ s: "\n\n" + lines }).startsWith("s: |\n\n\n  line"));
  // In sequences, nested sequences and as the whole document.
  roundTrip({ l: [lines, [lines], { m: lines }], after: 1 });
  assert.ok(roundTrip(lines).startsWith("|\n  line"));
});

Deno.test("a 4 MB multi-line string that a literal block cannot hold is double-quoted", () => {
  const control = "a\x01\r\t\u2028\u{1F600}\n".repeat(FOUR_MB / 8);
  assert.ok(roundTrip({ s: control }).startsWith('s: "a\\x01\\r\\t\\L\u{1F600}\\n'));
  const indented = "  starts with spaces\n".repeat(FOUR_MB / 21);
  assert.ok(roundTrip({ s: indented }).startsWith('s: "  starts with spaces\\n'));
  const lone = "\ud800x\n".repeat(FOUR_MB / 3); // lone surrogates survive as escapes
  assert.ok(roundTrip({ s: lone }).startsWith('s: "\\uD800x\\n'));
});

Deno.test("a 4 MB mapping key dumps as an explicit double-quoted key", () => {
  const key = "k e y\n".repeat(FOUR_MB / 6);
  const text = roundTrip({ [key]: { nested: 1 }, list: [{ [key]: "v" }] });
  assert.ok(text.startsWith('? "k e y\\nk e y'));
  assert.ok(text.includes(`"\n:\n  nested: 1\nlist:\n  - ? "k e y`), text.slice(-200));
});

Deno.test("a large string is laid out as js-yaml lays out one it can still check", () => {
  // 100 K characters: above the size this module lays out itself, below js-yaml's limit.
  const lines = "some text: here\n".repeat(100_000 / 16);
  const plain = "A".repeat(100_000);
  for (
    const data of [
      { a: lines, b: [lines, { c: lines + "x" }], d: [[lines + "\n\n"]], e: plain },
      [lines, plain],
      lines,
    ]
  ) {
    assert.equal(exportText(data, "yaml"), dump(data, { lineWidth: -1, noRefs: true }));
  }
});

Deno.test("any large string in any position dumps and parses back to itself", () => {
  // Units of mixed characters, repeated past the large-string size (64 Ki characters).
  const unit = fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom(
        "a",
        "Z",
        "1",
        " ",
        "\n",
        "\t",
        ":",
        "#",
        "-",
        "'",
        '"',
        "é",
        "\u{1F600}",
      ),
      minLength: 1,
      maxLength: 12,
    }),
  );
  const large = fc.tuple(unit, fc.string({ unit: "binary", maxLength: 4 })).map(([u, tail]) =>
    u.repeat(Math.ceil(66_000 / u.length)) + tail
  );
  const value = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      large,
      fc.string(),
      fc.integer(),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.array(fc.tuple(fc.oneof(large, fc.string()), tie("value")), { maxLength: 3 }).map(
        (pairs) => {
          const out: Record<string, unknown> = {};
          for (const [k, v] of pairs) {
            Object.defineProperty(out, k, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
          return out;
        },
      ),
    ),
  }));
  fc.assert(
    fc.property(value.value, (data) => {
      assert.deepEqual(parseYamlValue(exportText(data, "yaml")), data);
    }),
    { numRuns: 150 },
  );
});

Deno.test("toYaml and toJson of a config holding a 4 MB literal and a 4 MB ${file:} value", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "holoconf_export_" }));
  try {
    const big = "pem line\n".repeat(FOUR_MB / 9);
    await Deno.writeTextFile(`${dir}/big.txt`, big);
    const literal = "x".repeat(FOUR_MB);
    await Deno.writeTextFile(`${dir}/app.yaml`, `lit: ${literal}\nfile: \${file:big.txt}\n`);
    const config = Config.load(`${dir}/app.yaml`);
    assert.deepEqual(parseYamlValue(await config.toYaml()), {
      lit: literal,
      file: "${file:big.txt}",
    });
    assert.deepEqual(parseYamlValue(await config.toYaml({ resolve: true })), {
      lit: literal,
      file: big,
    });
    assert.equal(JSON.parse(await config.toJson({ resolve: true })).file, big);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------ exports racing clearCache()

for (const method of ["toYaml", "toObject"] as const) {
  Deno.test(`clearCache() during an in-flight ${method}({ redact: true }) still returns the full redacted result`, async () => {
    const release = Promise.withResolvers<void>();
    let started = 0;
    const vault = async (k: string) => {
      started++;
      await release.promise;
      return new ResolvedValue(`hunter2-${k}`, { sensitive: true });
    };
    const config = Config.loads("pw: ${vault:x}\nhost: h\nport: 5432\nurl: u-${vault:y}\n", {
      resolvers: { vault },
    });
    const exported = config[method]({ redact: true });
    await until(() => started >= 2);
    config.clearCache();
    release.resolve();
    const out = await noHang(exported as Promise<unknown>, method);
    const expected = { pw: "[REDACTED]", host: "h", port: 5432, url: "[REDACTED]" };
    if (method === "toYaml") {
      assert.equal(typeof out, "string");
      assert.ok(!String(out).includes("hunter2"), String(out));
      assert.deepEqual(await Config.loads(String(out)).toObject(), expected);
    } else {
      assert.deepEqual(out, expected);
    }
  });
}
