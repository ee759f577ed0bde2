// `deno task test:npm`: the npm package as a Node user gets it. Builds npm/, packs it with
// `npm pack`, installs the tarball alone into a fresh scratch Node project in a temporary
// directory (its dependencies come from the npm registry), checks that this install stays under
// MAX_INSTALL_BYTES and runs tests/node/minimal_install_test.mjs there (no optional peer
// installed); then installs the AWS SDK's SSM client (an optional peer), esbuild, TypeScript and
// Node's types, type-checks a TypeScript consumer against the installed declarations, and runs
// the other tests/node/*_test.mjs with `node --test`: they import `holoconf`, `holoconf/core` and
// `holoconf/aws` by name, run the `holoconf` bin through npx, bundle a handler by the README's
// Lambda recipe, and run the Node examples (examples/node_esm.mjs, examples/lambda_handler.mjs).
//
// Set HOLOCONF_KEEP_NPM_TEST=1 to keep the scratch project (its path is printed).

import {
  buildNpm,
  ESBUILD,
  LAMBDA_BUNDLE_ARGS,
  NODE_TYPES,
  parseNpmSpecifier,
  run,
  TYPESCRIPT,
} from "./build_npm.ts";

/** What `npm i holoconf` may install at most, the package and its dependencies (5 MB). */
export const MAX_INSTALL_BYTES = 5_000_000;
/** Runs before anything but the package is installed. */
const MINIMAL_TEST = "minimal_install_test.mjs";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const CONSUMER_TS = `import { Config, ResolvedValue, type ResolverCall } from "holoconf";
import { configureSsm } from "holoconf/aws";
import { type ResolverDescription, resolverNames } from "holoconf/core";

configureSsm({ endpoint: "http://127.0.0.1:1", region: "us-east-1" });
const config = Config.loads("a: \${vault:x}\\n", {
  resolvers: {
    vault: (key: string, call: ResolverCall): Promise<ResolvedValue> =>
      Promise.resolve(new ResolvedValue(key + String(call.signal.aborted), { sensitive: true })),
  },
});
const value: unknown = await config.get("a");
const dump: string = await config.toYaml({ redact: true });
const names: string[] = resolverNames();
const plan: ResolverDescription | undefined = undefined;
export { dump, names, plan, value };
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  },
  files: ["consumer.ts"],
};

/** Bytes of every file under `dir` (symbolic links not followed): what an install weighs. */
async function installedBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) total += await installedBytes(path);
    else if (entry.isFile) total += (await Deno.lstat(path)).size;
  }
  return total;
}

/** `node --test` on `files` in the project; true when they pass. */
async function nodeTest(files: string[], project: string): Promise<boolean> {
  const { code } = await new Deno.Command("node", {
    args: ["--test", "--test-reporter=spec", ...files],
    cwd: project,
    env: {
      // The AWS SDK's notice that its 2027 releases need Node 22 (printed once per process on
      // Node 20); package_test.mjs also tolerates it where it runs the CLI.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      HOLOCONF_LAMBDA_BUNDLE_ARGS: JSON.stringify(LAMBDA_BUNDLE_ARGS),
    },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code === 0;
}

const started = performance.now();
const build = await buildNpm();
console.log(`test:npm: built holoconf@${build.version}`);

const tmp = await Deno.makeTempDir({ prefix: "holoconf-npm-test-" });
let failed = false;
try {
  const packed = await run(
    "npm",
    ["pack", "--pack-destination", tmp, "--loglevel=error"],
    build.outDir,
    true,
  );
  const tarball = `${tmp}/${packed.trim().split("\n").pop()}`;
  console.log(`test:npm: packed ${tarball.slice(tmp.length + 1)}`);

  const project = `${tmp}/project`;
  await Deno.mkdir(project);
  await Deno.writeTextFile(
    `${project}/package.json`,
    JSON.stringify({ name: "holoconf-npm-smoke", private: true, type: "module" }, null, 2) + "\n",
  );
  console.log("test:npm: npm install <tarball> (scratch project, nothing else)");
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], project);
  const size = await installedBytes(`${project}/node_modules`);
  console.log(`test:npm: npm i holoconf installs ${(size / 1e6).toFixed(2)} MB`);
  if (size >= MAX_INSTALL_BYTES) {
    throw new Error(`npm i holoconf installs ${size} bytes, more than ${MAX_INSTALL_BYTES}`);
  }

  // The tests and the Node examples, next to the installed package.
  const copies: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/tests/node`)) {
    if (entry.isFile && entry.name.endsWith(".mjs")) copies.push(`tests/node/${entry.name}`);
  }
  copies.push("examples/node_esm.mjs", "examples/lambda_handler.mjs");
  for (const file of copies) {
    await Deno.copyFile(`${ROOT}/${file}`, `${project}/${file.slice(file.lastIndexOf("/") + 1)}`);
  }
  const tests = copies.filter((f) => f.endsWith("_test.mjs")).map((f) => f.split("/").pop()!)
    .sort();
  const nodeVersion = (await run("node", ["--version"], project, true)).trim();
  console.log(`test:npm: node --test ${MINIMAL_TEST} (Node ${nodeVersion}, no optional peer)`);
  if (!await nodeTest([MINIMAL_TEST], project)) failed = true;

  const ssmClient = parseNpmSpecifier(
    (JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as {
      imports: Record<string, string>;
    }).imports["@aws-sdk/client-ssm"]!,
  );
  console.log(
    "test:npm: npm install @aws-sdk/client-ssm esbuild typescript @types/node (scratch project)",
  );
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `@aws-sdk/client-ssm@${ssmClient.range}`,
    `esbuild@${ESBUILD}`,
    `typescript@${TYPESCRIPT}`,
    `@types/node@${NODE_TYPES}`,
  ], project);

  // The declarations work for a strict TypeScript consumer (Node16 resolution, exports map).
  await Deno.writeTextFile(`${project}/consumer.ts`, CONSUMER_TS);
  await Deno.writeTextFile(
    `${project}/tsconfig.json`,
    JSON.stringify(CONSUMER_TSCONFIG, null, 2) + "\n",
  );
  console.log("test:npm: tsc --noEmit on a TypeScript consumer");
  await run("node", [`${project}/node_modules/typescript/bin/tsc`, "-p", "tsconfig.json"], project);

  const rest = tests.filter((t) => t !== MINIMAL_TEST);
  console.log(`test:npm: node --test ${rest.join(" ")}`);
  if (!await nodeTest(rest, project)) failed = true;
} finally {
  if (Deno.env.get("HOLOCONF_KEEP_NPM_TEST")) console.log(`test:npm: kept ${tmp}`);
  else await Deno.remove(tmp, { recursive: true });
}
console.log(
  `test:npm: ${failed ? "FAILED" : "ok"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (failed) Deno.exit(1);
