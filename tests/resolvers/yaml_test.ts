import assert from "node:assert/strict";
import { yamlResolver } from "../../resolvers/yaml.ts";
import { ParseError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

function parse(text: string, sensitiveInput = false): unknown {
  return yamlResolver.resolve(text, makeCall({ args: [text], sensitiveInput, resolver: "yaml" }));
}

Deno.test("yaml parses mappings, sequences and scalars (YAML 1.2 core)", () => {
  assert.deepEqual(parse("name: Bob\nage: 25"), { name: "Bob", age: 25 });
  assert.deepEqual(parse("server:\n  host: 0.0.0.0\n  port: 8080"), {
    server: { host: "0.0.0.0", port: 8080 },
  });
  assert.deepEqual(parse("- a\n- 2\n- true"), ["a", 2, true]);
  assert.equal(parse("yes"), "yes");
  assert.equal(parse("3.5"), 3.5);
  assert.equal(parse("~"), null);
});

Deno.test("yaml empty or comment-only text is null", () => {
  assert.equal(parse(""), null);
  assert.equal(parse("# only a comment\n"), null);
});

Deno.test("yaml errors are ParseErrors with line, column and a preview", async () => {
  const err = await thrown(() => parse("a: [1, 2\nb: 3"));
  assert.ok(err instanceof ParseError);
  assert.match(err.headline, /^Invalid YAML at line \d+, column \d+: /);
  assert.match(err.message, /Input preview: a: \[1, 2\\nb: 3\.\.\./);
});

Deno.test("yaml rejects a second document", async () => {
  const err = await thrown(() => parse("a: 1\n---\nb: 2"));
  assert.ok(err instanceof ParseError);
});

Deno.test("yaml errors never show a sensitive input", async () => {
  for (const text of ["password: [hunter2\nb: 2", "hunter2: 1\nhunter2: 2", "a: *hunter2"]) {
    const err = await thrown(() => parse(text, true));
    assert.ok(err instanceof ParseError, text);
    assert.match(err.headline, /^Invalid YAML/);
    assert.ok(!err.message.includes("hunter2"), err.message);
    assert.ok(!err.message.includes("Input preview"));
  }
});

Deno.test("yaml errors on a sensitive input quote nothing of it, even through quotes in keys", async () => {
  const inputs = [
    "k'hunter2secret: 1\nk'hunter2secret: 2\n",
    'k"hunter2secret: 1\nk"hunter2secret: 2\n',
    "a: !!int 'xhunter2'\n",
    "a: !e!hunter2 1\n",
    "a: !<tag:hunter2^> 1\n",
  ];
  for (const text of inputs) {
    const err = await thrown(() => parse(text, true));
    assert.ok(err instanceof ParseError, text);
    assert.match(err.headline, /^Invalid YAML at line \d+, column \d+: [a-z]/);
    assert.ok(!err.message.includes("hunter2"), err.message);
    assert.ok(!err.message.includes("REDACTED"), err.message);
  }
  const open = await thrown(() => parse("k'x: 1\nk'x: 2\n"));
  assert.match(open.message, /duplicate key 'k'x'/);
});
