// Tests of the config tree (src/tree.ts) as users meet it through Config: limits on the plain
// values a tree is built from.

import assert from "node:assert/strict";
import { Config } from "../mod.ts";

Deno.test("Config.fromObject() of a value nested too deeply fails with the depth error before the stack overflows", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  assert.throws(() => Config.fromObject({ a: deep }), /Value nested too deeply/);
});
