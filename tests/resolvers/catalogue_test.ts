// Tests of the built-in resolver catalogue: one entry per built-in, pointing at the module and
// export that hold it; the synchronous ones load with the library, the others on first use;
// every built-in declares the arguments it accepts.

import assert from "node:assert/strict";
import { Config, getResolver, ParseError, resolverNames } from "../../mod.ts";
import { CATALOGUE, loadEntry, registerBuiltins } from "../../resolvers/catalogue.ts";
import { ResolverRegistry } from "../../src/registry.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("each catalogue entry is the named export of its module, the very object mod.ts registers", async () => {
  const names = CATALOGUE.map((e) => e.name);
  assert.equal(new Set(names).size, names.length, "names are unique");
  assert.deepEqual(resolverNames(), names);
  for (const entry of CATALOGUE) {
    const module = await import(new URL(`resolvers/${entry.module}`, ROOT).href);
    const resolver = module[entry.export];
    assert.ok(resolver !== undefined, `resolvers/${entry.module} exports ${entry.export}`);
    assert.equal(await loadEntry(entry), resolver, entry.name);
    assert.equal(await getResolver(entry.name), resolver, entry.name);
    // Exactly one way to get it: with the library, or through its literal import().
    assert.ok((entry.resolver === undefined) !== (entry.load === undefined), entry.name);
  }
});

Deno.test("mod.ts imports the synchronous built-ins and reaches the others only through import()", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  type Dependency = { code?: { specifier: string }; isDynamic?: boolean };
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const deps = new Map(graph.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const reach = (dynamic: boolean): Set<string> => {
    const seen = new Set<string>();
    const visit = (specifier: string) => {
      if (seen.has(specifier)) return;
      seen.add(specifier);
      for (const d of deps.get(specifier) ?? []) {
        if (d.code !== undefined && (dynamic || !d.isDynamic)) visit(d.code.specifier);
      }
    };
    visit(new URL("mod.ts", ROOT).href);
    return seen;
  };
  const loaded = reach(false);
  const reachable = reach(true);
  for (const entry of CATALOGUE) {
    const url = new URL(`resolvers/${entry.module}`, ROOT).href;
    assert.equal(
      loaded.has(url),
      entry.resolver !== undefined,
      `${entry.module} loaded with mod.ts`,
    );
    assert.ok(reachable.has(url), `${entry.module} reachable through a literal import()`);
  }
  // The only npm package loaded with the library is the YAML parser.
  const packages = [...loaded].filter((u) => u.startsWith("npm:")).map((u) =>
    u.slice(4).replace(/(?<=.)@.*$/, "")
  );
  assert.deepEqual(packages, ["js-yaml"]);
});

Deno.test("registerBuiltins registers the synchronous built-ins loaded and the others lazily, taken names kept", async () => {
  const registry = new ResolverRegistry();
  const mine = () => "mine";
  registry.register("csv", mine);
  registerBuiltins(registry);
  assert.deepEqual(registry.names(), [
    "csv",
    ...CATALOGUE.map((e) => e.name).filter((n) => n !== "csv"),
  ]);
  for (const entry of CATALOGUE) {
    if (entry.name === "csv") continue;
    assert.equal(registry.get(entry.name)?.resolver, entry.resolver, entry.name);
  }
  assert.equal(registry.get("csv")?.resolver, mine);
  const ssm = await registry.lookup("ssm");
  assert.equal(ssm?.resolver, await getResolver("ssm"));
  assert.equal(ssm?.batchSize, 10); // read from the loaded object, as for an eager one
  registerBuiltins(registry); // a second copy of the library: nothing changes
  assert.equal(registry.get("ssm"), ssm);
});

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
  assert.deepEqual(Object.keys(KEYWORDS).sort(), CATALOGUE.map((e) => e.name).sort());
  for (const [name, keywords] of Object.entries(KEYWORDS)) {
    const config = Config.loads(
      `two: \${${name}:a/b,c/d}\nunknown: \${${name}:a/b,no_such_keyword=1}\n`,
      { allowHttp: true, basePath: "." },
    );
    const accepted = `Accepted keywords: ${
      [...keywords, "default", "sensitive", "ttl"].join(", ")
    }`;
    const two = await failure(config, "two");
    assert.equal(two.code, "TOO_MANY_ARGUMENTS", name);
    assert.deepEqual(two.detail, [accepted], name);
    const unknown = await failure(config, "unknown");
    assert.equal(unknown.code, "UNKNOWN_KEYWORD", name);
    assert.deepEqual(unknown.detail, [accepted], name);
  }
});

Deno.test("a lazily loaded built-in declares in the catalogue the settings its module declares", async () => {
  for (const entry of CATALOGUE) {
    const loaded = await loadEntry(entry);
    const own = typeof loaded === "function" ? undefined : loaded.settingsSpec;
    if (entry.resolver !== undefined) {
      assert.equal(entry.settingsSpec, undefined, entry.name);
      continue;
    }
    assert.deepEqual(entry.settingsSpec ?? [], own ?? [], entry.name);
  }
});

Deno.test("settings of a built-in that is not loaded yet are accepted before its first use", async () => {
  const registry = new ResolverRegistry();
  registerBuiltins(registry);
  assert.equal(registry.get("http"), undefined); // not loaded
  assert.deepEqual(registry.settingsSpecOf("http").map((s) => s.key), ["http"]);
  assert.deepEqual(registry.settingsSpecOf("ssm").map((s) => s.key), ["aws", "ssm"]);
  // Through a Config (the process-wide registry of mod.ts): the group is known before any load.
  const config = Config.loads("a: ${https:example.invalid/x}\n", {
    resolverSettings: { http: { allow: true, allowlist: ["https://allowed.invalid/*"] } },
  });
  await assert.rejects(config.get("a"), /not in allowlist/i);
});
