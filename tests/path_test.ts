import assert from "node:assert/strict";
import { formatPath, parsePath, resolveRelativePath } from "../src/path.ts";
import { ParseError } from "../src/errors.ts";

function assertPathError(path: string, headline: string, column: number): void {
  assert.throws(() => parsePath(path), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.code, "PARSE_ERROR");
    assert.equal(e.headline, headline);
    assert.equal(e.column, column);
    assert.equal(e.path, path);
    return true;
  });
}

Deno.test("parsePath splits keys on dots and reads bracket indexes as numbers", () => {
  assert.deepEqual(parsePath("a.b"), ["a", "b"]);
  assert.deepEqual(parsePath("a[0]"), ["a", 0]);
  assert.deepEqual(parsePath("a[0][1].b"), ["a", 0, 1, "b"]);
  assert.deepEqual(parsePath("servers[10].host"), ["servers", 10, "host"]);
  assert.deepEqual(parsePath("[2]"), [2]);
  assert.deepEqual(parsePath("日本.my-key"), ["日本", "my-key"]);
  assert.deepEqual(parsePath("a[007]"), ["a", 7]);
});

Deno.test("parsePath reads the empty path as the root", () => {
  assert.deepEqual(parsePath(""), []);
});

Deno.test("parsePath rejects an empty key instead of dropping it (a..b is not a.b)", () => {
  assertPathError("a..b", "Empty key in path", 3);
  assertPathError(".a.b", "Empty key in path", 1);
  assertPathError("a.b.", "Empty key in path", 4);
  assertPathError(".", "Empty key in path", 1);
  assertPathError("a.[0]", "Empty key in path", 3);
  assertPathError("a[0]..b", "Empty key in path", 6);
  assertPathError("a[0].", "Empty key in path", 5);
});

Deno.test("parsePath allows a '.' after an index and an index after a key", () => {
  assert.deepEqual(parsePath("[0].a"), [0, "a"]);
  assert.deepEqual(parsePath("a[0].b[1][2].c"), ["a", 0, "b", 1, 2, "c"]);
});

Deno.test("parsePath starts a new key after a closing bracket", () => {
  assert.deepEqual(parsePath("a[0]b"), ["a", 0, "b"]);
});

Deno.test("parsePath rejects indexes that are not non-negative integers", () => {
  assertPathError("a[-1]", "Invalid array index in path: -1", 3);
  assertPathError("a[x]", "Invalid array index in path: x", 3);
  assertPathError("a[]", "Invalid array index in path: ", 3);
  assertPathError("a[1.5]", "Invalid array index in path: 1.5", 3);
  assertPathError("a[ 1]", "Invalid array index in path:  1", 3);
  assertPathError(
    "b.a[99999999999999999999]",
    "Invalid array index in path: 99999999999999999999",
    5,
  );
});

Deno.test("parsePath rejects a stray ] and an unclosed [", () => {
  assertPathError("a]", "Unexpected ']' in path", 2);
  assertPathError("a[0]]", "Unexpected ']' in path", 5);
  assertPathError("a[0", "Unclosed '[' in path", 2);
});

Deno.test("parsePath reads a quoted key (a JSON string in brackets), as formatPath quotes it", () => {
  assert.deepEqual(parsePath('m["a.b"]'), ["m", "a.b"]);
  assert.deepEqual(parsePath('m["a.b"].c[0]'), ["m", "a.b", "c", 0]);
  assert.deepEqual(parsePath('["x[1]"]["y]"]'), ["x[1]", "y]"]);
  assert.deepEqual(parsePath('m[""]'), ["m", ""]);
  assert.deepEqual(parsePath('m["say \\"hi\\" \\\\ \\u00e9"]'), ["m", 'say "hi" \\ é']);
  assert.deepEqual(parsePath('m["plain"]'), ["m", "plain"]);
  const keys = ["a.b", "[0]", "x]", "", 'q"uote', "back\\slash", "a..b"];
  for (const key of keys) {
    const segs = ["m", key, 0, "n"];
    assert.deepEqual(parsePath(formatPath(segs, { quoteKeys: true })), segs, key);
  }
});

Deno.test("parsePath rejects a malformed quoted key; a..b stays an error", () => {
  assertPathError('m["a.b', "Unclosed quoted key in path", 3);
  assertPathError('m["a\\"]', "Unclosed quoted key in path", 3);
  assertPathError('m["a\\q"]', "Invalid quoted key in path", 3);
  assertPathError('m["a"x]', "Expected ']' after a quoted key in path", 6);
  assertPathError('m["a"', "Expected ']' after a quoted key in path", 6);
  assertPathError('m.["a"]', "Empty key in path", 3);
  assertPathError("m['a']", "Invalid array index in path: 'a'", 3);
  assertPathError("a..b", "Empty key in path", 3);
});

Deno.test("formatPath writes keys with dots and indexes in brackets", () => {
  assert.equal(formatPath(["a", "b", 0, "c"]), "a.b[0].c");
  assert.equal(formatPath([]), "");
  assert.equal(formatPath([0, 1, "x"]), "[0][1].x");
  assert.equal(formatPath(["a", 0, 1]), "a[0][1]");
});

Deno.test("formatPath is the inverse of parsePath", () => {
  for (const p of ["a", "a.b", "a[0]", "a[0][1].b", "[3].x", "servers[0].url"]) {
    assert.equal(formatPath(parsePath(p)), p);
  }
  const segs = ["x", 0, "y", 2, 3, "z"];
  assert.deepEqual(parsePath(formatPath(segs)), segs);
});

Deno.test("resolveRelativePath: one dot is a sibling of the current key", () => {
  assert.equal(resolveRelativePath("servers[0].url", 1, "host"), "servers[0].host");
  assert.equal(
    resolveRelativePath("database.connection.url", 1, "host"),
    "database.connection.host",
  );
  assert.equal(resolveRelativePath("top", 1, "x"), "x");
});

Deno.test("resolveRelativePath: each extra dot goes one level up", () => {
  assert.equal(resolveRelativePath("servers[0].url", 2, "x"), "x");
  assert.equal(resolveRelativePath("database.connection.url", 2, "host"), "database.host");
  assert.equal(resolveRelativePath("a.b.c.d", 3, "x.y"), "a.x.y");
});

Deno.test("resolveRelativePath treats an indexed segment as one level", () => {
  assert.equal(resolveRelativePath("hosts[1]", 1, "x"), "x");
  assert.equal(resolveRelativePath("a.hosts[1]", 1, "x"), "a.x");
});

Deno.test("resolveRelativePath clamps at the root", () => {
  assert.equal(resolveRelativePath("a.b", 5, "x"), "x");
  assert.equal(resolveRelativePath("", 1, "x"), "x");
});

Deno.test("resolveRelativePath with an empty path returns the parent path itself", () => {
  assert.equal(resolveRelativePath("a.b.c", 1, ""), "a.b");
  assert.equal(resolveRelativePath("a.b.c", 2, ""), "a");
  assert.equal(resolveRelativePath("a.b.c", 3, ""), "");
});

Deno.test("resolveRelativePath joins an index path without a dot", () => {
  assert.equal(resolveRelativePath("a.list.x", 1, "[0]"), "a.list[0]");
  assert.deepEqual(parsePath(resolveRelativePath("a.b", 1, "[0].c")), ["a", 0, "c"]);
});

Deno.test("resolveRelativePath rejects a level count below 1", () => {
  assert.throws(() => resolveRelativePath("a.b", 0, "x"), RangeError);
  assert.throws(() => resolveRelativePath("a.b", 1.5, "x"), RangeError);
});
