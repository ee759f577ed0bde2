import assert from "node:assert/strict";
import {
  BUILTIN_MODULES,
  builtinModuleUrl,
  registerBuiltinsFor,
  resolverNamesIn,
} from "../../src/cli/_builtins.ts";
import { BUILTIN_RESOLVERS } from "../../resolvers/builtins.ts";
import { ResolverRegistry } from "../../src/registry.ts";
import type { ResolverObject } from "../../src/resolver.ts";

Deno.test("the CLI's catalogue names every built-in and points at the very same objects", async () => {
  assert.deepEqual(Object.keys(BUILTIN_MODULES).sort(), Object.keys(BUILTIN_RESOLVERS).sort());
  for (const [name, [module, exportName]] of Object.entries(BUILTIN_MODULES)) {
    const mod = await import(builtinModuleUrl(module).href);
    assert.equal(mod[exportName], BUILTIN_RESOLVERS[name], name);
  }
});

Deno.test("resolverNamesIn finds every call, nested ones too, and nothing else", () => {
  const raw = {
    "${keys:are-not-values}": "plain",
    db: { password: "${ssm:/${env:STAGE}/db,region=${cfn:s/Region}}", host: "${app.host}" },
    list: ["${ file:x}", "${.sibling}", 3, null, true, new Uint8Array([36, 123])],
    escaped: "\\${json:counted-anyway}",
    relative: "${..up}",
    text: "price: $5 {not: a call}",
  };
  assert.deepEqual([...resolverNamesIn(raw)].sort(), ["cfn", "env", "file", "json", "ssm"]);
  assert.deepEqual([...resolverNamesIn({ a: "${a.b}", b: "${ref:a}" })], ["ref"]);
});

function countingLoader() {
  const loads: string[] = [];
  return {
    loads,
    load: async (module: string) => {
      loads.push(module);
      return await import(builtinModuleUrl(module).href);
    },
  };
}

Deno.test("a local-only config loads no resolver module (env is static) and registers env alone", async () => {
  const registry = new ResolverRegistry();
  const { loads, load } = countingLoader();
  const now = await registerBuiltinsFor({ a: "${env:HOME}", b: "${a}" }, registry, load);
  assert.deepEqual(now, ["env"]);
  assert.deepEqual(loads, []);
  assert.equal(registry.get("env")!.resolver, BUILTIN_RESOLVERS["env"]);
  assert.deepEqual(registry.names(), ["env"]);
});

Deno.test("used AWS resolvers are registered as they are (batching kept), one import per module", async () => {
  const registry = new ResolverRegistry();
  const { loads, load } = countingLoader();
  await registerBuiltinsFor({ a: "${ssm:/p}", b: "${s3:b/k}", c: "${cfn:s/o}" }, registry, load);
  assert.deepEqual(loads, ["aws/mod"]);
  for (const name of ["ssm", "s3", "cfn"]) {
    assert.equal(registry.get(name)!.resolver, BUILTIN_RESOLVERS[name], name);
  }
  assert.equal(typeof (registry.get("ssm")!.resolver as ResolverObject).resolveMany, "function");
  assert.deepEqual(registry.names().sort(), ["cfn", "s3", "ssm"]);
});

Deno.test("a second run registers what the first did not; mod.ts afterwards adds the rest, real", async () => {
  const registry = new ResolverRegistry();
  const { loads, load } = countingLoader();
  await registerBuiltinsFor({ a: "${env:X}" }, registry, load);
  await registerBuiltinsFor({ a: "${file:x.yaml}", b: "${env:Y}" }, registry, load);
  assert.deepEqual(loads, ["file"]);
  assert.deepEqual(registry.names(), ["env", "file"]);
  // What registerBuiltins() in mod.ts does for names still free:
  for (const [name, resolver] of Object.entries(BUILTIN_RESOLVERS)) {
    if (!registry.get(name)) registry.register(name, resolver);
  }
  for (const [name, resolver] of Object.entries(BUILTIN_RESOLVERS)) {
    assert.equal(registry.get(name)!.resolver, resolver, name);
  }
});

Deno.test("resolvers registered before the CLI's turn are left alone", async () => {
  const registry = new ResolverRegistry();
  const mine = () => "mine";
  registry.register("env", mine);
  const { loads, load } = countingLoader();
  assert.deepEqual(await registerBuiltinsFor({ a: "${env:X}" }, registry, load), []);
  assert.deepEqual(loads, []);
  assert.equal(registry.get("env")!.resolver, mine);
});

Deno.test("deno task compile includes every module the CLI imports by computed specifier", async () => {
  const root = new URL("../../", import.meta.url);
  const task: string =
    JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks.compile;
  const included = new Set([...task.matchAll(/--include (\S+)/g)].map((m) => m[1]));
  const cli = await Deno.readTextFile(new URL("src/cli/cli.ts", root));
  const onDemand = [...cli.matchAll(/import\(new URL\(`\.\/([\w.]+)\$\{EXT\}`/g)].map((m) =>
    `src/cli/${m[1]}.ts`
  );
  assert.ok(onDemand.length >= 2, "cli.ts loads _args and plan on demand");
  const resolverModules = Object.values(BUILTIN_MODULES).map(([m]) => `resolvers/${m}.ts`);
  for (const file of [...onDemand, ...resolverModules]) {
    assert.ok(included.has(file), `deno task compile misses --include ${file}`);
  }
});
