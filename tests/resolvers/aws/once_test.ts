import assert from "node:assert/strict";
import { loadOnce } from "../../../resolvers/aws/_once.ts";

Deno.test("loadOnce: concurrent callers share one load; a success is kept", async () => {
  const cache = new Map<string, Promise<string>>();
  const gate = Promise.withResolvers<string>();
  let loads = 0;
  const load = () => {
    loads++;
    return gate.promise;
  };
  const a = loadOnce(cache, "k", load);
  const b = loadOnce(cache, "k", load);
  gate.resolve("v");
  assert.deepEqual(await Promise.all([a, b]), ["v", "v"]);
  assert.equal(await loadOnce(cache, "k", load), "v");
  assert.equal(loads, 1);
});

Deno.test("loadOnce: a failed load is forgotten, the next call loads again", async () => {
  const cache = new Map<string, Promise<number>>();
  let loads = 0;
  const load = () => ++loads === 1 ? Promise.reject(new Error("down")) : Promise.resolve(loads);
  await assert.rejects(loadOnce(cache, "k", load), /down/);
  assert.equal(await loadOnce(cache, "k", load), 2);
  assert.equal(loads, 2);
});
