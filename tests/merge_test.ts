import assert from "node:assert/strict";
import { mergeTrees } from "../src/merge.ts";
import { fromPlain, type MapNode, toPlain, type TreeNode } from "../src/tree.ts";
import { parseYamlTree } from "../src/yaml.ts";

function entry(node: TreeNode, key: string): TreeNode {
  assert.equal(node.kind, "map");
  const v = (node as MapNode).entries.get(key);
  assert.ok(v, `missing ${key}`);
  return v;
}

Deno.test("mergeTrees merges mappings recursively", () => {
  const base = fromPlain({ db: { host: "localhost", port: 5432, pool: { min: 5, max: 20 } } });
  const overlay = fromPlain({ db: { host: "prod", pool: { max: 100 } } });
  assert.deepEqual(toPlain(mergeTrees(base, overlay)), {
    db: { host: "prod", port: 5432, pool: { min: 5, max: 100 } },
  });
});

Deno.test("an overlay null deletes the key and a missing key stays missing", () => {
  const base = fromPlain({ a: 1, b: { c: 2, d: 3 }, e: null });
  const overlay = fromPlain({ b: { c: null }, zz: null });
  const merged = mergeTrees(base, overlay);
  assert.deepEqual(toPlain(merged), { a: 1, b: { d: 3 }, e: null });
  assert.deepEqual([...(merged as MapNode).entries.keys()], ["a", "b", "e"]);
});

Deno.test("sequences, scalars and type mismatches replace", () => {
  const base = fromPlain({ list: [1, 2, 3], s: "x", m: { a: 1 }, n: 5 });
  const overlay = fromPlain({ list: [9], s: { now: "map" }, m: "scalar", n: [1] });
  assert.deepEqual(toPlain(mergeTrees(base, overlay)), {
    list: [9],
    s: { now: "map" },
    m: "scalar",
    n: [1],
  });
});

Deno.test("existing keys keep their position and new keys append", () => {
  const base = fromPlain({ a: 1, b: 2, c: 3 });
  const overlay = fromPlain({ new1: 0, c: 30, a: 10, new2: 0 });
  const merged = mergeTrees(base, overlay) as MapNode;
  assert.deepEqual([...merged.entries.keys()], ["a", "b", "c", "new1", "new2"]);
  assert.deepEqual(toPlain(merged), { a: 10, b: 2, c: 30, new1: 0, new2: 0 });
});

Deno.test("winners keep their own source and inputs are untouched", () => {
  const base = parseYamlTree("db:\n  host: a\n  port: 1\n", { file: "base.yaml" });
  const overlay = parseYamlTree("db:\n  host: b\n", { file: "over.yaml" });
  const baseBefore = JSON.stringify(toPlain(base));
  const overlayBefore = JSON.stringify(toPlain(overlay));
  const merged = mergeTrees(base, overlay);
  assert.deepEqual(entry(entry(merged, "db"), "host").source, {
    file: "over.yaml",
    line: 2,
    column: 9,
  });
  assert.deepEqual(entry(entry(merged, "db"), "port").source, {
    file: "base.yaml",
    line: 3,
    column: 9,
  });
  assert.equal(entry(merged, "db").source?.file, "base.yaml");
  assert.equal(JSON.stringify(toPlain(base)), baseBefore);
  assert.equal(JSON.stringify(toPlain(overlay)), overlayBefore);
  assert.equal((entry(base, "db") as MapNode).entries.get("host")?.kind, "scalar");
  assert.deepEqual(toPlain(entry(entry(base, "db"), "host")), "a");
});

Deno.test("an empty overlay mapping changes nothing", () => {
  const base = fromPlain({ a: { b: 1 } });
  const merged = mergeTrees(base, { kind: "map", entries: new Map() });
  assert.deepEqual(toPlain(merged), { a: { b: 1 } });
  assert.deepEqual(toPlain(mergeTrees(base, fromPlain({ a: {} }))), { a: { b: 1 } });
});

Deno.test("interpolation strings merge as plain strings", () => {
  const merged = mergeTrees(fromPlain({ a: "${env:A}" }), fromPlain({ a: "${env:B}" }));
  assert.deepEqual(toPlain(merged), { a: "${env:B}" });
});
