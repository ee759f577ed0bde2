// Tests of the core entry (core.ts): the whole public API, and no module of the library but
// mod.ts changes anything when it is imported.

import assert from "node:assert/strict";
import * as core from "../core.ts";
import * as main from "../mod.ts";
import { CATALOGUE } from "../resolvers/catalogue.ts";
import { ROOT, runProbe, writeTripwireImportMap } from "./_tripwire.ts";

Deno.test("core.ts exports the same public API as mod.ts, the very same objects", () => {
  assert.deepEqual(Object.keys(core).sort(), Object.keys(main).sort());
  for (const [name, value] of Object.entries(core)) {
    assert.equal((main as Record<string, unknown>)[name], value, name);
  }
});

/** Every module of the library (src/, resolvers/, the entries), as paths from the root. */
async function libraryModules(): Promise<string[]> {
  const out: string[] = ["core.ts"];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (path.endsWith(".ts")) out.push(path);
    }
  };
  await walk("src");
  await walk("resolvers");
  return out.sort();
}

// The probe imports modules one at a time and compares the global object after each with what
// it was before: its own properties (string and symbol keys; the registry and the scheduler
// state live under `Symbol.for` keys) and each property's value, getter and setter.
const SIDE_EFFECT_PROBE = `
const [library, cli] = JSON.parse(Deno.args[0]) as [string[], string[]];
const root = Deno.args[1];
// Each module is imported through a wrapper of one \`import "..."\` line: a namespace that
// exports \`then\` (src/_maybe_promise.ts) would be taken for a promise by \`await import()\`.
const wrappers = Deno.args[2];
type Snapshot = Map<PropertyKey, unknown[]>;
function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key)!;
    out.set(key, [d.value, d.get, d.set]);
  }
  return out;
}
function changes(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    if (was === undefined) out.push("added " + String(key));
    else if (now.some((v, i) => !Object.is(v, was[i]))) out.push("changed " + String(key));
  }
  for (const key of before.keys()) if (!after.has(key)) out.push("removed " + String(key));
  return out;
}
async function importEach(modules: string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const module of modules) {
    const wrapper = \`\${wrappers}/\${module.replaceAll("/", "__")}\`;
    Deno.writeTextFileSync(wrapper, \`import \${JSON.stringify(new URL(module, root).href)};\\n\`);
    const before = snapshot();
    await import(new URL(\`file://\${wrapper}\`).href);
    const diff = changes(before, snapshot());
    if (diff.length > 0) found[module] = diff;
  }
  return found;
}
const libraryChanges = await importEach(library);
const before = snapshot();
await import(new URL("mod.ts", root).href);
const modChanges = changes(before, snapshot());
const registry = (globalThis as Record<symbol, { names(): string[] } | undefined>)[
  Symbol.for("holoconf.registry")
];
const registered = registry?.names() ?? [];
const cliChanges = await importEach(cli);
console.log(JSON.stringify({ libraryChanges, modChanges, registered, cliChanges }));
`;

Deno.test("importing any module of the library but mod.ts leaves global state as it was", async () => {
  const modules = await libraryModules();
  // The CLI's modules import mod.ts (their one effect, checked after it); main.ts runs the CLI.
  const library = modules.filter((m) => !m.startsWith("src/cli/"));
  const cli = modules.filter((m) => m.startsWith("src/cli/") && m !== "src/cli/main.ts");
  assert.ok(library.includes("src/registry.ts") && library.includes("resolvers/catalogue.ts"));
  assert.ok(cli.includes("src/cli/cli.ts"));
  const dir = await Deno.makeTempDir({ prefix: "holoconf_side_effects_" });
  try {
    await writeTripwireImportMap(dir, []);
    const report = await runProbe(dir, SIDE_EFFECT_PROBE, {
      permissions: ["-A"],
      args: [JSON.stringify([library, cli]), ROOT.href, dir],
    });
    assert.deepEqual(report["libraryChanges"], {});
    assert.deepEqual(report["cliChanges"], {});
    // The same check sees what mod.ts does: the process-wide registry, with every built-in.
    assert.deepEqual(report["modChanges"], ["added Symbol(holoconf.registry)"]);
    assert.deepEqual(report["registered"], CATALOGUE.map((e) => e.name));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the documentation's examples of public symbols import from the package name only", async () => {
  // What JSR shows: every @example of every symbol the entries export (class members included)
  // must run as a user's code, so it imports "@holoconf/holoconf", never a module of the sources.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts", "core.ts", "resolvers/aws/mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const examples: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (record.kind === "example" && typeof record.doc === "string") examples.push(record.doc);
    Object.values(record).forEach(walk);
  };
  walk(JSON.parse(new TextDecoder().decode(out.stdout)));
  assert.ok(examples.length > 50, `only ${examples.length} examples found`);
  const relative = examples.filter((e) => /\bfrom\s*["']\.\.?\//.test(e));
  assert.deepEqual(relative.map((e) => e.split("\n").find((l) => /from\s*["']\./.test(l))), []);
});
