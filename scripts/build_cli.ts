// `deno task build:cli`: the `holoconf` command for Deno, bundled into dist/cli/ by `deno bundle`
// (minified, code splitting): main.js, the code it runs at start-up in a few chunks, and every
// module it loads on first use (the general argument parser, `plan`, each resolver that is not
// synchronous) in a chunk of its own, still loaded on first use. npm packages stay external: bare
// specifiers that deno.json's import map resolves when the command runs (`--config deno.json`, as
// the README's install line and the compile task give it). The README's install line and
// `deno task compile` use this bundle; `deno task cli` runs the sources.
//
// Why a bundle: `holoconf get -r` on a small config, fresh `deno run`, was ≈ 10 ms faster from
// the bundle than from the ≈ 70 TypeScript modules of the sources (see the README's Performance
// section; the bench measures the bundle, since that is what the install line runs). Deno runs
// one minified file of code-split chunks faster than the same code unminified (≈ 3 ms) or in one
// file with every on-demand module inlined (≈ 8 ms: that inlining also hoists their static
// imports, `node:util` among them, to start-up).
//
// Runnable alone: `deno run -A scripts/build_cli.ts [outDir]` (default dist/cli).

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** Where the bundle goes by default (git-ignored; built by the compile task and the tests). */
export const CLI_DIR = `${ROOT}/dist/cli`;

/** The CLI's entry point in the sources. */
const CLI_ENTRY = "src/cli/main.ts";

interface DenoJson {
  imports: Record<string, string>;
}

/**
 * The import map's names of npm packages: what the bundle leaves external.
 *
 * @param imports deno.json's import map.
 * @returns The bare specifiers that map to `npm:` packages.
 */
export function npmSpecifiers(imports: Record<string, string>): string[] {
  return Object.entries(imports).filter(([, target]) => target.startsWith("npm:")).map(([name]) =>
    name
  );
}

/**
 * An import or re-export in minified output (`import{a as b}from"x"`, `import*as m from"x"`,
 * `import d,{e}from"x"`, `export{c}from"x"`, `import"x"`), or an `import("x")`: the specifier in
 * the group `static` or `dynamic`. esbuild writes double quotes; a word `from` inside a string is
 * not preceded by an import clause.
 */
const IMPORT_SPECIFIER_REGEXP =
  /\b(?:import|export)\s*(?:\{[^{}"]*\}|\*\s*as\s+[\w$]+|[\w$]+(?:\s*,\s*\{[^{}"]*\})?)\s*from\s*"(?<static>[^"]+)"|\bimport\s*"(?<bare>[^"]+)"|\bimport\s*\(\s*"(?<dynamic>[^"]+)"\s*\)/g;

/** What one file of the bundle imports. */
export interface BundleImports {
  /** Specifiers of `import`/`export ... from` and side-effect imports: loaded with the file. */
  static: Set<string>;
  /** Specifiers of `import()`: loaded on first use. */
  dynamic: Set<string>;
}

/**
 * Specifiers imported by a file of the bundle (relative chunks, `node:` modules, bare names).
 *
 * @param code Minified JavaScript.
 * @returns The static and the dynamic imports.
 */
export function bundleImports(code: string): BundleImports {
  const found: BundleImports = { static: new Set(), dynamic: new Set() };
  for (const m of code.matchAll(IMPORT_SPECIFIER_REGEXP)) {
    const g = m.groups!;
    if (g.dynamic !== undefined) found.dynamic.add(g.dynamic);
    else found.static.add((g.static ?? g.bare)!);
  }
  return found;
}

/**
 * Bundles the CLI into `outDir` (emptied first) and checks the output: main.js is there, and
 * every bare import of every file is an npm package of the import map (none was inlined, none is
 * unknown).
 *
 * @param outDir Output directory.
 * @returns The path of main.js.
 * @throws {Error} When `deno bundle` fails or the output imports something unexpected.
 */
export async function buildCli(outDir: string = CLI_DIR): Promise<string> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as DenoJson;
  const external = npmSpecifiers(denoJson.imports);
  const main = await denoBundle(`${ROOT}/${CLI_ENTRY}`, outDir, `${ROOT}/deno.json`, [
    "--platform=deno",
    "--minify",
    "--code-splitting",
    ...external.flatMap((name) => ["--external", name]),
  ]);
  const known = new Set(external);
  for await (const entry of Deno.readDir(outDir)) {
    if (!entry.name.endsWith(".js")) continue;
    const found = bundleImports(await Deno.readTextFile(`${outDir}/${entry.name}`));
    for (const spec of [...found.static, ...found.dynamic]) {
      if (spec.startsWith("./") || spec.startsWith("node:") || known.has(spec)) continue;
      throw new Error(`${entry.name} imports "${spec}", which is not an npm package of deno.json`);
    }
  }
  return main;
}

/**
 * `deno bundle` of `entry` into `outDir` (emptied first), with the import map of `config`.
 *
 * @returns The path of the bundled entry (`<outDir>/<entry name>.js`).
 * @throws {Error} When `deno bundle` fails (its output in the message) or emits no such file.
 */
async function denoBundle(
  entry: string,
  outDir: string,
  config: string,
  flags: readonly string[],
): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--config", config, ...flags, "--outdir", outDir, entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder();
    throw new Error(`deno bundle failed:\n${text.decode(out.stderr)}${text.decode(out.stdout)}`);
  }
  const main = `${outDir}/${entry.split("/").pop()!.replace(/\.[cm]?[jt]sx?$/, "")}.js`;
  await Deno.stat(main);
  return main;
}

/**
 * The README's recipe for a Deno program that starts fast (Performance: Bundling for Deno): `deno
 * bundle` of the program's entry with these flags. Everything is inlined but the AWS SDK: the
 * output runs without deno.json, an import map or npm resolution (`deno run --no-config`), and
 * what holoconf loads on first use stays in chunks loaded on first use. `--keep-names`: the error
 * classes take their `name` from the class, which minification would rename. The SDK packages
 * stay external because their CommonJS parts `require()` Node's modules, which a bundle cannot
 * do; a program that uses the SDK transport or the SDK's credential providers runs the bundle
 * with the deno.json that maps them.
 */
export const DENO_APP_BUNDLE_ARGS: readonly string[] = [
  "--platform=deno",
  "--code-splitting",
  "--minify",
  "--keep-names",
  "--external",
  "@aws-sdk/*",
  "--external",
  "@smithy/*",
];

/**
 * Bundles a program by the README's recipe ({@linkcode DENO_APP_BUNDLE_ARGS}).
 *
 * @param entry The program's entry module.
 * @param outDir Output directory (emptied first).
 * @param config The deno.json that resolves the program's imports while bundling.
 * @returns The path of the bundled entry (`<outDir>/<entry name>.js`).
 * @throws {Error} When `deno bundle` fails.
 */
export function bundleApp(
  entry: string,
  outDir: string,
  config: string = `${ROOT}/deno.json`,
): Promise<string> {
  return denoBundle(entry, outDir, config, DENO_APP_BUNDLE_ARGS);
}

if (import.meta.main) {
  const main = await buildCli(Deno.args[0] ?? CLI_DIR);
  console.log(`build:cli: ${main.slice(ROOT.length + 1)}`);
}
