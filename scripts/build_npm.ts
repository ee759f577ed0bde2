// `deno task build:npm`: builds the npm package `holoconf` into npm/ from the same sources as the
// JSR package, with TypeScript's own compiler for the declarations (dnt lives on JSR, which this
// project cannot reach) and esbuild for the JavaScript.
//
// 1. A staging directory (.tmp/npm_build/) gets a package.json listing the runtime dependencies
//    (versions from deno.json's import map), `typescript` (5.9: TypeScript 7's npm package has
//    no compiler API yet, only an unstable client of its native binary), `@types/node@20` and
//    `esbuild`; `npm install` runs there when that list changed since the last build.
// 2. mod.ts, core.ts, src/ and resolvers/ are copied into it (so Node-style resolution finds the
//    dependencies' types) and `tsc` type-checks the four entry points (library, `./core`,
//    `./aws`, CLI) against the ES2023 library and Node 20's types (`Promise.withResolvers`,
//    `Array.fromAsync`, `Object.groupBy`, the new Set methods and iterator helpers do not
//    type-check there) and emits their `.d.ts` declarations.
// 3. esbuild bundles the same four entry points (after shapeChunks() has told it which code
//    goes together): one ESM file each (same paths as the sources:
//    mod.js, core.js, resolvers/aws/mod.js, src/cli/main.js), code they share and every module
//    they load on first use (`import()`) in chunks under _chunks/, dependencies left to npm
//    (external), ES2022, minified (whitespace and syntax; names kept, as error classes take
//    theirs from the class), comments dropped (the declarations keep the docs), and a source map per
//    file whose positions are those of the TypeScript sources (`node --enable-source-maps` prints
//    `src/engine.ts:123` in stack traces; the maps carry no source text, to keep the install
//    small). One file per entry instead of ~60 is what Node's start-up needs: measured with
//    `deno task bench --only cold`, see the README's Performance section.
// 4. The output is audited: every bare import must be a dependency or an optional peer, no bare
//    `Deno.` global may appear in code (only guarded `globalThis.Deno` lookups), and no
//    Node-20-missing API may appear even through `any`.
// 5. package.json (exports `.`, `./core` and `./aws` with types, `bin`, engines, repository,
//    homepage, bugs; `sideEffects` names the modules that have any: mod.js, which registers
//    the built-in resolvers (through a chunk), and the CLI; the packages of OPTIONAL_PEERS as optional peer
//    dependencies), README.md and LICENSE are written next to the output; the CLI entry gets a
//    `#!/usr/bin/env node` line.

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const STAGE = `${ROOT}/.tmp/npm_build`;
const OUT = `${ROOT}/npm`;

/** The source repository, named in package.json (`repository`, `homepage`, `bugs`). */
export const REPOSITORY = "https://github.com/holoconf/holoconf-ts";

/** The compiler the package is built with (and its consumers are type-checked with). */
export const TYPESCRIPT = "5.9.3";
/** Node's type declarations, for the Node 20 line the package supports. */
export const NODE_TYPES = "^20.19.0";
/** The bundler of the npm build (and of the README's Lambda recipe, measured by the bench). */
export const ESBUILD = "0.28.2";
/**
 * Dependencies a user installs only for the feature that needs them (optional peer dependencies:
 * `npm i holoconf` leaves them out), each with that feature. The library imports them on first
 * use, and a missing one fails with an error that names the package to install.
 */
export const OPTIONAL_PEERS: Readonly<Record<string, string>> = {
  "@aws-sdk/client-ssm": "the AWS SDK transport for ${ssm:}",
  "@aws-sdk/client-s3": "the AWS SDK transport for ${s3:}",
  "@aws-sdk/client-cloudformation": "the AWS SDK transport for ${cfn:}",
  "@aws-sdk/client-secrets-manager": "the AWS SDK transport for ${secretsmanager:}",
  "@aws-sdk/client-appconfigdata": "the AWS SDK transport for ${appconfig:}",
  "@aws-sdk/credential-providers":
    "AWS credentials from profiles, SSO, web identity, credential_process or instance metadata",
  "@smithy/core": "the AWS region of a profile in the shared config file",
  "undici": "the http resolvers' TLS and proxy options on Node",
  "csv-parse": "the csv resolver",
};
/**
 * The esbuild command line of the README's Lambda recipe (the caller adds `--outdir`): ESM, the
 * handler and the code it runs at start-up in one file, the modules holoconf loads on first use
 * (and the packages only they import: the XML parser, the signers, the JSON Schema validator,
 * the archive readers) in chunks next to it, still loaded on first use (`--splitting`; `.mjs`
 * files, which Lambda runs as ESM); minified (whitespace and syntax: names stay, error classes take
 * theirs from the class); the AWS SDK left to the Lambda runtime (which ships it), and so are
 * holoconf's other optional peers (a bundler cannot resolve a package that is not installed; one
 * the function needs is installed and bundled by leaving its flag out); `require` defined for the
 * CommonJS packages that a bundle may contain (esbuild's ESM output has none).
 */
export const LAMBDA_BUNDLE_ARGS: readonly string[] = [
  "--bundle",
  "--platform=node",
  "--target=node20",
  "--format=esm",
  "--splitting",
  "--out-extension:.js=.mjs",
  "--minify-whitespace",
  "--minify-syntax",
  "--external:@aws-sdk/*",
  ...Object.keys(OPTIONAL_PEERS).filter((name) => !name.startsWith("@aws-sdk/")).map((name) =>
    `--external:${name}`
  ),
  "--banner:js=import { createRequire as topLevelCreateRequire } from 'node:module'; " +
  "const require = topLevelCreateRequire(import.meta.url);",
];

/** Node 20.16 added `process.getBuiltinModule`, which the runtime adapter uses for files. */
const NODE_ENGINES = ">=20.16.0";
const ENTRY_POINTS = ["mod.ts", "core.ts", "resolvers/aws/mod.ts", "src/cli/main.ts"];
const SOURCES = ["mod.ts", "core.ts", "src", "resolvers"];
/**
 * esbuild's options for the package (entry points and directories aside): see step 3 above.
 * `[dir]/[name]` keeps each entry at its source path (mod.js, src/cli/main.js, ...).
 */
const ESBUILD_ARGS = [
  "--bundle",
  "--splitting",
  "--format=esm",
  "--platform=node",
  "--target=es2022",
  "--packages=external",
  "--entry-names=[dir]/[name]",
  "--chunk-names=_chunks/[name]-[hash]",
  "--sourcemap=linked",
  "--sources-content=false",
  "--legal-comments=none",
  "--charset=utf8",
  "--log-level=warning",
];

/**
 * Minification of the package's JavaScript (see step 3): whitespace and syntax only. Names stay:
 * the error classes take theirs from the class (`new.target.name`), and stack traces read well
 * without the maps. The audit (step 4) reads the same bundle built without these.
 */
const MINIFY_ARGS = ["--minify-whitespace", "--minify-syntax"];

/** Where the build went and what it found. */
export interface BuildResult {
  /** The package directory (npm/). */
  outDir: string;
  /** Package version (from deno.json). */
  version: string;
  /** Runtime dependencies written to package.json. */
  dependencies: Record<string, string>;
  /** Optional peer dependencies written to package.json (see {@linkcode OPTIONAL_PEERS}). */
  peerDependencies: Record<string, string>;
  /** Every `Deno` mention in the built JavaScript, with how it is reached. */
  denoUses: string[];
}

interface DenoJson {
  version: string;
  imports: Record<string, string>;
}

/**
 * Runs a command in `cwd`; fails on a non-zero exit. What it prints goes to our standard error
 * (standard output too, unless captured): a caller's standard output, such as the bench's
 * `--json` lines, holds only the caller's own.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param cwd Working directory.
 * @param capture Return standard output instead of passing it through.
 * @returns Standard output when captured, else "".
 */
export async function run(
  cmd: string,
  args: string[],
  cwd: string,
  capture = false,
): Promise<string> {
  const child = new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "inherit" }).spawn();
  const [stdout, status] = await Promise.all([
    capture
      ? new Response(child.stdout).text()
      : child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }).then(() => ""),
    child.status,
  ]);
  if (status.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${status.code}`);
  }
  return stdout;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** `npm:name@range/sub` -> `{ name, range }`. */
export function parseNpmSpecifier(spec: string): { name: string; range: string } {
  if (!spec.startsWith("npm:")) throw new Error(`not an npm: specifier: ${spec}`);
  const rest = spec.slice(4);
  const scoped = rest.startsWith("@");
  const at = rest.indexOf("@", scoped ? 1 : 0);
  if (at < 0) return { name: rest.split("/").slice(0, scoped ? 2 : 1).join("/"), range: "*" };
  const name = rest.slice(0, at);
  const tail = rest.slice(at + 1);
  const slash = tail.indexOf("/");
  return { name, range: slash < 0 ? tail : tail.slice(0, slash) };
}

/** The package name of a bare specifier (`csv-parse/sync` -> `csv-parse`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * An `import`/`export ... from "x"` statement, a side-effect `import "x"` (each at the start of
 * a line), or an `import("x")` call: the specifier, when bare. A word `from` inside a string
 * ("read it from") is not an import.
 */
const BARE_IMPORT_REGEXP =
  /^[ \t]*(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"'./][^"']*)["']|^[ \t]*import\s*["']([^"'./][^"']*)["']|\bimport\s*\(\s*["']([^"'./][^"']*)["']\s*\)/gm;

/**
 * Bare module specifiers the library imports (statically or with `import()`), from source text.
 *
 * @param code Source or emitted JavaScript.
 * @returns The specifiers, `node:` ones excepted.
 */
export function bareImports(code: string): Set<string> {
  const found = new Set<string>();
  for (const m of code.matchAll(BARE_IMPORT_REGEXP)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (!spec.startsWith("node:")) found.add(spec);
  }
  return found;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

async function copySources(): Promise<void> {
  for (const name of SOURCES) {
    await Deno.remove(`${STAGE}/${name}`, { recursive: true }).catch(() => {});
  }
  for (const name of SOURCES) {
    const src = `${ROOT}/${name}`;
    if ((await Deno.stat(src)).isFile) {
      await Deno.copyFile(src, `${STAGE}/${name}`);
      continue;
    }
    for await (const file of walk(src)) {
      if (!file.endsWith(".ts") || file.endsWith("_test.ts")) continue;
      const dest = `${STAGE}/${file.slice(ROOT.length + 1)}`;
      await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
      await Deno.copyFile(file, dest);
    }
  }
}

/** A literal relative `import("./x.ts")`: a module the library loads on first use. */
const RELATIVE_DYNAMIC_IMPORT_REGEXP = /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+\.ts)["']\s*\)/g;

/** Modules every chunk-shaped module imports: they declare and register nothing. */
const SHARED_MODULES = ["core.ts", "resolvers/catalogue.ts"];

/**
 * Shapes the chunks of the staged copy (never the sources): every module loaded on first use
 * (the targets of relative `import()`s), the `./aws` entry and core.ts also import core.ts and
 * the catalogue, which have no side effects and are loaded already whenever those modules are
 * (`holoconf/core` then loads the catalogue's code too, and still registers nothing). The code
 * of the library then reaches esbuild from every entry alike and lands in a few chunks (mod.js
 * loads 2 instead of 12: each chunk is one more module for Node to resolve and load at start-up)
 * instead of one chunk per combination of lazy modules that happen to share it.
 *
 * @returns The staged modules that were given the imports.
 */
async function shapeChunks(): Promise<string[]> {
  const targets = new Set<string>(["resolvers/aws/mod.ts", "core.ts"]);
  for await (const file of walk(STAGE)) {
    if (!file.endsWith(".ts") || file.includes("/node_modules/")) continue;
    const code = (await Deno.readTextFile(file)).replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of code.matchAll(RELATIVE_DYNAMIC_IMPORT_REGEXP)) {
      targets.add(new URL(m[1]!, `file://${file}`).pathname.slice(STAGE.length + 1));
    }
  }
  for (const target of targets) {
    const depth = target.split("/").length - 1;
    const up = depth === 0 ? "./" : "../".repeat(depth);
    const lines = SHARED_MODULES.filter((m) => m !== target).map((m) => `import "${up}${m}";`);
    await Deno.writeTextFile(`${STAGE}/${target}`, `\n${lines.join("\n")}\n`, { append: true });
  }
  return [...targets].sort();
}

/** Strips string literals and comments from one line of emitted JavaScript (good enough here). */
function codeOnly(line: string): string {
  const trimmed = line.trimStart();
  if (trimmed.startsWith("*") || trimmed.startsWith("/*") || trimmed.startsWith("//")) return "";
  return line
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""')
    .replace(/\/\/.*$/, "");
}

const NODE20_MISSING: [RegExp, string][] = [
  [/\bPromise\.withResolvers\b/, "Promise.withResolvers"],
  [/\bArray\.fromAsync\b/, "Array.fromAsync"],
  [/\b(?:Object|Map)\.groupBy\b/, "Object.groupBy / Map.groupBy"],
  [
    /\.(?:union|intersection|difference|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/,
    "Set methods (union, intersection, ...)",
  ],
  [/\bIterator\.from\b/, "Iterator.from"],
  [
    /\.(?:keys|values|entries)\(\)\.(?:map|filter|take|drop|flatMap|reduce|toArray|forEach|some|every|find)\(/,
    "iterator helpers",
  ],
];

/**
 * Audits the built JavaScript (line by line: the unminified bundle); returns the `Deno`
 * mentions, throws on a real problem.
 */
async function audit(dir: string, files: string[]): Promise<string[]> {
  const denoUses: string[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const rel = file.slice(dir.length + 1);
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, i) => {
      const code = codeOnly(line);
      const where = `${rel}:${i + 1}`;
      if (/(?<![.\w$])Deno\s*[.[]/.test(code)) {
        problems.push(`${where}: unguarded global Deno reference: ${line.trim()}`);
      } else if (/\bDeno\b/.test(code)) {
        denoUses.push(`${where}: ${line.trim()}`);
      }
      for (const [re, name] of NODE20_MISSING) {
        if (re.test(code)) problems.push(`${where}: ${name} is missing on Node 20: ${line.trim()}`);
      }
    });
  }
  if (problems.length > 0) {
    throw new Error(`The npm build is not safe for Node 20:\n${problems.join("\n")}`);
  }
  return denoUses;
}

/**
 * Builds npm/.
 *
 * @returns What was built.
 */
export async function buildNpm(): Promise<BuildResult> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as DenoJson;
  const version = denoJson.version;

  // Every bare import of the library sources must come from the import map.
  const wanted = new Map<string, string>();
  for (const name of SOURCES) {
    const path = `${ROOT}/${name}`;
    const files = (await Deno.stat(path)).isFile ? [path] : await Array.fromAsync(walk(path));
    for (const file of files) {
      if (!file.endsWith(".ts") || file.endsWith("_test.ts")) continue;
      const text = await Deno.readTextFile(file);
      // Skip JSDoc examples: they run as doc tests, not in the package.
      const code = text.replace(/\/\*\*[\s\S]*?\*\//g, "");
      for (const spec of bareImports(code)) {
        const mapped = denoJson.imports[spec];
        if (mapped === undefined) {
          throw new Error(`${file}: import "${spec}" is not in deno.json's import map`);
        }
        const { name: pkg, range } = parseNpmSpecifier(mapped);
        if (pkg !== packageOf(spec)) {
          throw new Error(`import map entry "${spec}" points at another package (${pkg})`);
        }
        wanted.set(pkg, range);
      }
    }
  }
  for (const peer of Object.keys(OPTIONAL_PEERS)) {
    if (!wanted.has(peer)) throw new Error(`optional peer ${peer} is imported nowhere`);
  }
  const sorted = [...wanted].sort(([a], [b]) => a.localeCompare(b));
  const dependencies = Object.fromEntries(sorted.filter(([name]) => !(name in OPTIONAL_PEERS)));
  const peerDependencies = Object.fromEntries(sorted.filter(([name]) => name in OPTIONAL_PEERS));
  const allImports = { ...dependencies, ...peerDependencies };

  // Staging project: dependencies + compiler, installed when the list changes.
  await Deno.mkdir(STAGE, { recursive: true });
  const stagePackage = JSON.stringify(
    {
      name: "holoconf-npm-build",
      private: true,
      type: "module",
      dependencies: allImports,
      devDependencies: { typescript: TYPESCRIPT, "@types/node": NODE_TYPES, esbuild: ESBUILD },
    },
    null,
    2,
  ) + "\n";
  const installedMarker = `${STAGE}/node_modules/.holoconf-installed.json`;
  const installed = await Deno.readTextFile(installedMarker).catch(() => "");
  if (installed !== stagePackage) {
    await Deno.writeTextFile(`${STAGE}/package.json`, stagePackage);
    console.error("build:npm: installing the build dependencies (npm install)");
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], STAGE);
    await Deno.writeTextFile(installedMarker, stagePackage);
  }
  await copySources();
  await shapeChunks();

  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      types: ["node"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      rewriteRelativeImportExtensions: true,
      verbatimModuleSyntax: false,
      isolatedModules: true,
      declaration: true,
      emitDeclarationOnly: true,
      outDir: OUT,
      rootDir: STAGE,
      newLine: "lf",
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      useUnknownInCatchVariables: true,
      skipLibCheck: true,
    },
    files: ENTRY_POINTS,
  };
  await Deno.writeTextFile(`${STAGE}/tsconfig.json`, JSON.stringify(tsconfig, null, 2) + "\n");
  await Deno.remove(OUT, { recursive: true }).catch(() => {});
  console.error(`build:npm: tsc ${TYPESCRIPT} (type check, declarations) -> npm/`);
  await run("node", [`${STAGE}/node_modules/typescript/bin/tsc`, "-p", "tsconfig.json"], STAGE);
  console.error(`build:npm: esbuild ${ESBUILD} (one ESM file per entry, chunks, maps) -> npm/`);
  const esbuild = (outDir: string, extra: string[]) =>
    run(`${STAGE}/node_modules/.bin/esbuild`, [
      ...ENTRY_POINTS,
      ...ESBUILD_ARGS,
      ...extra,
      `--outdir=${outDir}`,
      `--outbase=${STAGE}`,
    ], STAGE);
  // The audit reads the bundle before minification: one statement per line.
  const audited = `${STAGE}/audited`;
  await Deno.remove(audited, { recursive: true }).catch(() => {});
  await esbuild(audited, []);
  await esbuild(OUT, MINIFY_ARGS);

  const jsFiles = (await Array.fromAsync(walk(OUT))).filter((f) => f.endsWith(".js")).sort();
  for (const entry of ENTRY_POINTS) {
    const js = `${OUT}/${entry.replace(/\.ts$/, ".js")}`;
    if (!jsFiles.includes(js)) throw new Error(`esbuild did not emit ${js}`);
  }
  const auditedFiles = (await Array.fromAsync(walk(audited))).filter((f) => f.endsWith(".js"));
  // The built code must import exactly what package.json declares.
  for (const file of auditedFiles) {
    const code = (await Deno.readTextFile(file)).replace(/\/\*[\s\S]*?\*\//g, "");
    for (const spec of bareImports(code)) {
      if (!(packageOf(spec) in allImports)) {
        throw new Error(`${file}: imports "${spec}", which is not a dependency`);
      }
    }
  }
  const denoUses = await audit(audited, auditedFiles.sort());
  // Declarations keep the sources' `./x.ts` specifiers; point them at the emitted `./x.js`
  // (which TypeScript maps to `./x.d.ts`) so every consumer's compiler resolves them.
  for await (const file of walk(OUT)) {
    if (!file.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(file);
    const fixed = text.split("\n").map((line) =>
      /^\s*\*/.test(line)
        ? line
        : line.replace(/((?:from\s*|import\s*\(\s*)["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, "$1$2.js$3")
    ).join("\n");
    if (fixed !== text) await Deno.writeTextFile(file, fixed);
  }

  const cli = `${OUT}/src/cli/main.js`;
  const cliText = await Deno.readTextFile(cli);
  if (!cliText.startsWith("#!")) {
    await Deno.writeTextFile(cli, `#!/usr/bin/env node\n${cliText}`);
    // One more line before the code: its source map starts with one more empty line.
    const map = JSON.parse(await Deno.readTextFile(`${cli}.map`)) as { mappings: string };
    map.mappings = `;${map.mappings}`;
    await Deno.writeTextFile(`${cli}.map`, JSON.stringify(map));
  }
  await Deno.chmod(cli, 0o755);

  const pkg = {
    name: "holoconf",
    version,
    description: "Hierarchical configuration for TypeScript and JavaScript: deep-merged YAML, " +
      "lazy or parallel interpolation (env, references, SSM, S3, CloudFormation, HTTPS, custom " +
      "async resolvers), schemas, and secrets that never reach dumps.",
    license: "MIT",
    keywords: ["config", "configuration", "yaml", "interpolation", "ssm", "secrets", "cli"],
    repository: { type: "git", url: `git+${REPOSITORY}.git` },
    homepage: `${REPOSITORY}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    type: "module",
    main: "./mod.js",
    types: "./mod.d.ts",
    exports: {
      ".": { types: "./mod.d.ts", default: "./mod.js" },
      "./core": { types: "./core.d.ts", default: "./core.js" },
      "./aws": { types: "./resolvers/aws/mod.d.ts", default: "./resolvers/aws/mod.js" },
      "./package.json": "./package.json",
    },
    bin: { holoconf: "./src/cli/main.js" },
    engines: { node: NODE_ENGINES },
    // The chunks too: the code of mod.ts (the registration) sits in the chunk it shares with
    // the CLI, and a bundler would drop an import of a chunk declared free of side effects.
    sideEffects: ["./mod.js", "./src/cli/main.js", "./_chunks/*.js"],
    dependencies,
    peerDependencies,
    peerDependenciesMeta: Object.fromEntries(
      Object.keys(peerDependencies).map((name) => [name, { optional: true }]),
    ),
  };
  await Deno.writeTextFile(`${OUT}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  await Deno.copyFile(`${ROOT}/README.md`, `${OUT}/README.md`);
  await Deno.copyFile(`${ROOT}/LICENSE`, `${OUT}/LICENSE`);
  if (await exists(`${OUT}/tsconfig.tsbuildinfo`)) await Deno.remove(`${OUT}/tsconfig.tsbuildinfo`);

  return { outDir: OUT, version, dependencies, peerDependencies, denoUses };
}

if (import.meta.main) {
  const result = await buildNpm();
  console.log(`build:npm: holoconf@${result.version} in npm/`);
  console.log(`  dependencies: ${JSON.stringify(result.dependencies)}`);
  console.log(`  optional peers: ${JSON.stringify(result.peerDependencies)}`);
  console.log(`  Deno mentions in the built JavaScript (all behind a runtime check):`);
  for (const use of result.denoUses) console.log(`    ${use}`);
}
