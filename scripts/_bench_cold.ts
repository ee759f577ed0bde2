// Fresh-process figures (issue 14 item 6): what a Lambda or a script pays for holoconf from the
// moment its process starts, each figure next to its baseline measured in the same rounds.
//
// Set-up, every run: `deno task build:npm`'s build, `npm pack`, and a scratch Node project in
// .tmp/bench_cold/project that installs the tarball as a user would (`npm i holoconf`), plus AWS
// Lambda Powertools' parameters utility with its SSM client peer, and esbuild for the bundled
// handler. Deno runs the same probes from this repository's sources (`holoconf` is mod.ts in
// deno.json's import map, as `@holoconf/holoconf` is for a JSR user), with the flags the README
// gives, and the CLI as the README installs it: the bundle of `deno task build:cli` (the sources'
// CLI is measured too, for comparison). A loopback fake SSM (tests/fakes/fake_aws.ts, signature
// checks on) answers every request after 20 ms; the probes find it, their credentials and region
// in the environment, as on Lambda.
//
// Environments: the named figures run every probe with a clean environment (PATH, HOME, DENO_DIR
// and the probe's own variables), as a Lambda function gets. The same figures with the suffix
// `_default_env` run them, in the same rounds, with this process's whole environment under the
// probe's variables (AWS_PROFILE and AWS_DEFAULT_PROFILE removed). On this project's machines that
// environment sets NODE_EXTRA_CA_CERTS, which adds ≈ 30–40 ms to every Node start; issue 14's
// table was measured with it.
//
// Probes (one tiny module each, run in a fresh `node` or `deno run` process): an empty module; a
// local config (env and references) loaded and `resolveAll()`ed; 50 `${ssm:...}` references
// `resolveAll()`ed (through whatever `${ssm:}` uses); Powertools' `getParametersByName` of the
// same 50 names; the SSM floor (the same 50 read by no library: five requests signed and sent
// in parallel, see NODE_SSM_FLOOR); the local floor (the local config's text parsed by js-yaml,
// nothing interpolated); `holoconf get -r` on a local config and the YAML floor (a script that only
// imports js-yaml, parses the same file and prints the value); Lambda handlers of the local
// config and of the 50 references, each bundled alone with esbuild by the README's recipe (the
// AWS SDK external, as Lambda ships it: Powertools, which needs it, runs as installed); for Deno,
// the local and SSM probes bundled by the README's Deno recipe (`deno bundle`,
// scripts/build_cli.ts) and run without deno.json, next to an empty module run the same way
// (Powertools cannot be bundled so: its SDK's CommonJS code `require()`s Node's modules, which a
// bundle cannot do; it runs as above). Rounds are interleaved (every probe once per round, so load
// on the machine hits all alike), one warm-up round first; figures are medians.
//
// Runnable alone: `deno run -A scripts/_bench_cold.ts [rounds]` (default 11).

import { buildNpm, ESBUILD, LAMBDA_BUNDLE_ARGS, parseNpmSpecifier, run } from "./build_npm.ts";
import { buildCli, bundleApp } from "./build_cli.ts";
import { denoRunFlags } from "./_conformance_lib.ts";
import { type Figure, median, round } from "./_bench_util.ts";
import { startFakeAws } from "../tests/fakes/fake_aws.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const DIR = `${ROOT}/.tmp/bench_cold`;
const PROJECT = `${DIR}/project`;
const DENO_CONFIG = `${ROOT}/deno.json`;

/** Rounds of interleaved fresh processes (the issue asks for medians of at least 9). */
export const COLD_ROUNDS = 11;
/** Latency of every fake SSM answer, in ms. */
export const SSM_LATENCY_MS = 20;
const SSM_COUNT = 50;
/** Permission flags of the Deno library probes: those the README's examples run with. */
export const DENO_LIBRARY_FLAGS: readonly string[] = ["--allow-env", "--allow-read"];
/**
 * Deno's setting that leaves the npm packages of `import()` targets unprepared until first use
 * (the README's advice for start-up; the library probes run with and without it).
 */
const DENO_LAZY_FLAG = "--unstable-lazy-dynamic-imports";
/** What the SSM probes need on top (Powertools' SDK reads the OS user for its config files). */
const DENO_NETWORK_FLAGS = ["--allow-net", "--allow-sys"];

const LOCAL_CONFIG = `app:
  name: billing
  env: \${env:HOLOCONF_BENCH_ENV,default=dev}
  port: \${env:HOLOCONF_BENCH_PORT,default=8080}
database:
  host: db.\${app.env}.internal
  port: 5432
  url: postgres://\${.host}:\${.port}/\${app.name}
cache:
  hosts: [cache-a, cache-b]
  primary: \${cache.hosts[0]}
`;
const LOCAL_URL = "postgres://db.prod.internal:5432/billing";

const SSM_NAMES = Array.from({ length: SSM_COUNT }, (_, i) => `/bench/cold/param-${i}`);
const SSM_CONFIG = SSM_NAMES.map((n, i) => `p${i}: \${ssm:${n}}\n`).join("");
const LAST = `value-${SSM_COUNT - 1}`;

/**
 * The floor of the SSM probes: the same 50 parameters read by no library at all, the least any
 * program can do. Five `GetParameters` requests of 10 names, signed by the package holoconf's
 * light transport signs with on that runtime and sent in parallel over the runtime's own HTTP:
 * `aws4` and `node:http` on Node, `aws4fetch` and `fetch` on Deno. No retries, no errors
 * handled, no configuration read: a figure over its empty runtime above a target says that the
 * target is out of reach of any library.
 */
const SSM_FLOOR_COMMON = `const names = ${JSON.stringify(SSM_NAMES)};
const chunks = [];
for (let i = 0; i < names.length; i += 10) chunks.push(names.slice(i, i + 10));
const headers = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "AmazonSSM.GetParameters",
};
const body = (chunk) => JSON.stringify({ Names: chunk, WithDecryption: true });
const check = (answers) => {
  const values = {};
  for (const a of answers) for (const p of a.Parameters) values[p.Name] = p.Value;
  if (values[names.at(-1)] !== ${JSON.stringify(LAST)}) {
    throw new Error("unexpected: " + JSON.stringify(answers));
  }
};
`;
const NODE_SSM_FLOOR = `import { request } from "node:http";
import aws4 from "aws4";
const env = process.env;
const url = new URL(env.AWS_ENDPOINT_URL_SSM);
const credentials = {
  accessKeyId: env.AWS_ACCESS_KEY_ID,
  secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
};
${SSM_FLOOR_COMMON}const get = (chunk) => new Promise((resolve, reject) => {
  const signed = aws4.sign({
    host: url.host, path: "/", method: "POST", service: "ssm", region: env.AWS_REGION,
    headers: { ...headers }, body: body(chunk),
  }, credentials);
  const options = { hostname: url.hostname, port: url.port, path: "/", method: "POST" };
  const req = request({ ...options, headers: signed.headers }, (res) => {
    const parts = [];
    res.on("data", (part) => parts.push(part));
    res.on("end", () => resolve(JSON.parse(Buffer.concat(parts).toString("utf8"))));
  });
  req.on("error", reject);
  req.end(signed.body);
});
check(await Promise.all(chunks.map(get)));
`;
const DENO_SSM_FLOOR = `import { AwsV4Signer } from "aws4fetch";
const env = (name) => Deno.env.get(name);
const url = env("AWS_ENDPOINT_URL_SSM");
${SSM_FLOOR_COMMON}const get = async (chunk) => {
  const signed = await new AwsV4Signer({
    url, method: "POST", headers, body: body(chunk), service: "ssm", region: env("AWS_REGION"),
    accessKeyId: env("AWS_ACCESS_KEY_ID"), secretAccessKey: env("AWS_SECRET_ACCESS_KEY"),
  }).sign();
  const init = { method: signed.method, headers: signed.headers, body: signed.body };
  return await (await fetch(signed.url, init)).json();
};
check(await Promise.all(chunks.map(get)));
`;

/** Module sources of the probes, for `node` (.mjs) or `deno run` (.ts, not type-checked). */
function probeSources(runtime: "node" | "deno"): Record<string, string> {
  const args = runtime === "node" ? "process.argv.slice(2)" : "Deno.args";
  const readFile = runtime === "node"
    ? 'import { readFileSync } from "node:fs";\nconst text = readFileSync(ARGS[0], "utf8");\n'
    : "const text = Deno.readTextFileSync(ARGS[0]);\n";
  const fail = (what: string) => `throw new Error("unexpected: " + JSON.stringify(${what}));`;
  return {
    empty: "",
    local: `import { Config } from "holoconf";
const all = await Config.loads(${JSON.stringify(LOCAL_CONFIG)}).resolveAll();
if (all.database.url !== ${JSON.stringify(LOCAL_URL)}) ${fail("all")}
`,
    ssm50: `import { Config } from "holoconf";
const all = await Config.loads(${JSON.stringify(SSM_CONFIG)}).resolveAll();
if (all.p${SSM_COUNT - 1} !== ${JSON.stringify(LAST)}) ${fail("all")}
`,
    powertools50: `import { getParametersByName } from "@aws-lambda-powertools/parameters/ssm";
const names = ${JSON.stringify(SSM_NAMES)};
const values = await getParametersByName(Object.fromEntries(names.map((n) => [n, {}])), { decrypt: true });
if (values[names[${SSM_COUNT - 1}]] !== ${JSON.stringify(LAST)}) ${fail("values")}
`,
    ssm50_floor: runtime === "node" ? NODE_SSM_FLOOR : DENO_SSM_FLOOR,
    // The local probe's floor: the same text parsed by the YAML package, nothing interpolated.
    local_floor: `import { load } from "js-yaml";
const doc = load(${JSON.stringify(LOCAL_CONFIG)});
if (doc.database.port !== 5432) ${fail("doc")}
`,
    yaml_floor: `import { load } from "js-yaml";
const ARGS = ${args};
${readFile}console.log(load(text).database.url);
`,
  };
}

/**
 * The Lambda handlers of the bundling recipe (before bundling): the local config, and the 50
 * `${ssm:}` references; each starts its work at cold start and awaits it in every invocation.
 */
const HANDLERS = {
  local: { config: LOCAL_CONFIG, read: "database.url", expected: LOCAL_URL },
  ssm50: { config: SSM_CONFIG, read: `p${SSM_COUNT - 1}`, expected: LAST },
} as const;

function handlerSource(h: (typeof HANDLERS)[keyof typeof HANDLERS]): string {
  return `import { Config } from "holoconf";

const config = Config.loads(${JSON.stringify(h.config)});
const ready = config.resolveAll(); // starts at cold start, awaited by every invocation

export const handler = async () => (await ready).${h.read};
`;
}

/** What the Lambda runtime does with a bundle: import it, call the handler once. */
function invokeSource(name: string, expected: string): string {
  return `const { handler } = await import("./dist/${name}/handler_${name}.mjs");
const value = await handler({});
if (value !== ${JSON.stringify(expected)}) throw new Error("unexpected: " + value);
`;
}

interface Probe {
  name: string;
  cmd: string;
  args: string[];
  /** Text standard output must hold (a probe that printed the wrong value is not a figure). */
  stdout?: string;
}

async function setUpProject(): Promise<string> {
  const build = await buildNpm();
  await Deno.mkdir(PROJECT, { recursive: true });
  for await (const e of Deno.readDir(DIR)) {
    if (e.name.endsWith(".tgz")) await Deno.remove(`${DIR}/${e.name}`);
  }
  const packed = await run(
    "npm",
    ["pack", "--pack-destination", DIR, "--loglevel=error"],
    build.outDir,
    true,
  );
  const tarball = `${DIR}/${packed.trim().split("\n").pop()}`;
  const imports = (JSON.parse(await Deno.readTextFile(DENO_CONFIG)) as {
    imports: Record<string, string>;
  }).imports;
  const range = (spec: string) => parseNpmSpecifier(imports[spec]!).range;
  const pkg = {
    name: "holoconf-bench-cold",
    private: true,
    type: "module",
    dependencies: {
      holoconf: `file:${tarball}`,
      "@aws-lambda-powertools/parameters": range("@aws-lambda-powertools/parameters"),
      "@aws-sdk/client-ssm": range("@aws-sdk/client-ssm"),
      esbuild: ESBUILD,
    },
  };
  await Deno.writeTextFile(`${PROJECT}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  // npm would reinstall a file: package of an unchanged version from its cache, by the
  // integrity in the lock file: the lock and the installed copy go first.
  await Deno.remove(`${PROJECT}/package-lock.json`).catch(() => {});
  await Deno.remove(`${PROJECT}/node_modules/holoconf`, { recursive: true }).catch(() => {});
  console.error("bench cold: npm install (holoconf tarball, Powertools, esbuild)");
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], PROJECT);
  return tarball;
}

async function writeProbes(): Promise<{ config: string; node: Probe[]; deno: Probe[] }> {
  const config = `${DIR}/app.yaml`;
  await Deno.writeTextFile(config, LOCAL_CONFIG);
  await Deno.mkdir(`${DIR}/deno`, { recursive: true });
  for (const [name, source] of Object.entries(probeSources("node"))) {
    await Deno.writeTextFile(`${PROJECT}/${name}.mjs`, source);
  }
  for (const [name, source] of Object.entries(probeSources("deno"))) {
    await Deno.writeTextFile(`${DIR}/deno/${name}.ts`, source);
  }
  await Deno.remove(`${PROJECT}/dist`, { recursive: true }).catch(() => {});
  for (const [name, h] of Object.entries(HANDLERS)) {
    // One esbuild run per handler: each bundle is what that function alone would ship.
    await Deno.writeTextFile(`${PROJECT}/handler_${name}.mjs`, handlerSource(h));
    await Deno.writeTextFile(
      `${PROJECT}/invoke_bundled_${name}.mjs`,
      invokeSource(name, h.expected),
    );
    await run(`${PROJECT}/node_modules/.bin/esbuild`, [
      `handler_${name}.mjs`,
      ...LAMBDA_BUNDLE_ARGS,
      `--outdir=dist/${name}`,
      "--log-level=warning",
    ], PROJECT);
  }

  const bin = JSON.parse(
    await Deno.readTextFile(`${PROJECT}/node_modules/holoconf/package.json`),
  ).bin.holoconf as string;
  const node = (name: string, file: string, extra: string[] = []): Probe => ({
    name,
    cmd: "node",
    args: [file, ...extra],
  });
  const tasks = (JSON.parse(await Deno.readTextFile(DENO_CONFIG)) as {
    tasks: Record<string, string>;
  }).tasks;
  const cliFlags = denoRunFlags(tasks.cli!);
  const deno = (name: string, flags: readonly string[], file: string, extra: string[] = []) => ({
    name,
    cmd: Deno.execPath(),
    args: ["run", ...flags, "--config", DENO_CONFIG, file, ...extra],
  });
  const d = (f: string) => `${DIR}/deno/${f}.ts`;
  const network = [...DENO_LIBRARY_FLAGS, ...DENO_NETWORK_FLAGS];
  // Run without deno.json: the README's Deno bundle recipe (the program bundled) and its baseline.
  const noConfig = (name: string, flags: readonly string[], file: string): Probe => ({
    name,
    cmd: Deno.execPath(),
    args: ["run", "--no-config", ...flags, file],
  });
  const bundled = async (name: string, flags: readonly string[]) =>
    noConfig(
      `deno_bundled_${name}`,
      flags,
      await bundleApp(d(name), `${DIR}/deno_bundled/${name}`, DENO_CONFIG),
    );
  return {
    config,
    node: [
      node("node_empty", "empty.mjs"),
      node("node_local", "local.mjs"),
      node("node_ssm50", "ssm50.mjs"),
      node("node_powertools50", "powertools50.mjs"),
      node("node_ssm50_floor", "ssm50_floor.mjs"),
      node("node_local_floor", "local_floor.mjs"),
      {
        ...node("node_cli_get", `node_modules/holoconf/${bin}`, [
          "get",
          config,
          "database.url",
          "-r",
        ]),
        stdout: LOCAL_URL,
      },
      { ...node("node_yaml_floor", "yaml_floor.mjs", [config]), stdout: "${.host}" },
      node("node_bundled_local", "invoke_bundled_local.mjs"),
      node("node_bundled_ssm50", "invoke_bundled_ssm50.mjs"),
    ],
    deno: [
      deno("deno_empty", DENO_LIBRARY_FLAGS, d("empty")),
      deno("deno_local", DENO_LIBRARY_FLAGS, d("local")),
      deno("deno_local_lazy", [...DENO_LIBRARY_FLAGS, DENO_LAZY_FLAG], d("local")),
      deno("deno_ssm50", network, d("ssm50")),
      deno("deno_ssm50_lazy", [...network, DENO_LAZY_FLAG], d("ssm50")),
      deno("deno_powertools50", network, d("powertools50")),
      deno("deno_ssm50_floor", network, d("ssm50_floor")),
      deno("deno_local_floor", DENO_LIBRARY_FLAGS, d("local_floor")),
      noConfig("deno_empty_no_config", DENO_LIBRARY_FLAGS, d("empty")),
      await bundled("local", DENO_LIBRARY_FLAGS),
      await bundled("ssm50", network),
      {
        ...deno("deno_cli_get", cliFlags, await buildCli(), ["get", config, "database.url", "-r"]),
        stdout: LOCAL_URL,
      },
      {
        ...deno("deno_cli_get_source", cliFlags, `${ROOT}/src/cli/main.ts`, [
          "get",
          config,
          "database.url",
          "-r",
        ]),
        stdout: LOCAL_URL,
      },
      { ...deno("deno_yaml_floor", cliFlags, d("yaml_floor"), [config]), stdout: "${.host}" },
    ],
  };
}

/** The suffix of the figures measured in this process's own environment. */
export const DEFAULT_ENV_SUFFIX = "_default_env";

/** The variables of this process among `names` (the probes get these and no others). */
function pick(names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => {
    const v = Deno.env.get(n);
    return v === undefined ? [] : [[n, v]];
  }));
}

async function time(probe: Probe, env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(probe.cmd, {
    args: probe.args,
    cwd: PROJECT,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`${probe.name} failed: ${text.decode(out.stderr)}`);
  }
  if (probe.stdout !== undefined && !text.decode(out.stdout).includes(probe.stdout)) {
    throw new Error(`${probe.name} printed ${JSON.stringify(text.decode(out.stdout))}`);
  }
  return ms;
}

/**
 * Runs the fresh-process benchmark.
 *
 * @param rounds Interleaved rounds (at least 9 for the figures).
 * @returns The ratios of issue 14 item 6, each followed by the medians (ms) it divides.
 */
export async function benchCold(rounds: number = COLD_ROUNDS): Promise<Figure[]> {
  await setUpProject();
  const { node, deno } = await writeProbes();
  const fake = await startFakeAws({
    ssm: Object.fromEntries(SSM_NAMES.map((n, i) => [n, `value-${i}`])),
    latencyMs: SSM_LATENCY_MS,
  });
  const noFiles = await Deno.makeTempDir({ prefix: "holoconf-bench-cold-" });
  // What Lambda hands a function: credentials and region in the environment, no AWS files.
  const probeVariables: Record<string, string> = {
    AWS_CONFIG_FILE: `${noFiles}/no-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${noFiles}/no-credentials`,
    AWS_ACCESS_KEY_ID: "AKIDBENCHFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_SSM: fake.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    HOLOCONF_BENCH_ENV: "prod",
    NO_COLOR: "1",
  };
  const clean = { ...pick(["PATH", "HOME", "DENO_DIR"]), ...probeVariables };
  const inherited = { ...Deno.env.toObject(), ...probeVariables };
  delete inherited.AWS_PROFILE;
  delete inherited.AWS_DEFAULT_PROFILE;
  const envs: [string, Record<string, string>][] = [["", clean], [DEFAULT_ENV_SUFFIX, inherited]];
  const probes = [...node, ...deno];
  const times = new Map<string, number[]>(
    probes.flatMap((p) => envs.map(([suffix]) => [p.name + suffix, []])),
  );
  try {
    for (let r = 0; r <= rounds; r++) {
      for (const probe of probes) {
        for (const [suffix, env] of envs) {
          const ms = await time(probe, env);
          if (r > 0) times.get(probe.name + suffix)!.push(ms); // round 0 warms the caches
        }
      }
    }
  } finally {
    await fake.close();
    await Deno.remove(noFiles, { recursive: true });
  }
  const m = (name: string) => median(times.get(name)!);
  const ms = (name: string): Figure => ({
    name: `${name}_ms`,
    value: round(m(name), 1),
    unit: "ms",
  });
  const ratio = (name: string, a: string, b: string): Figure => ({
    name,
    value: round(m(a) / m(b)),
    unit: "x",
  });
  const ratios = (suffix: string): Figure[] => {
    const of = (name: string, a: string, b: string) => ratio(name + suffix, a + suffix, b + suffix);
    return [
      of("cold_ssm50_node_vs_powertools", "node_powertools50", "node_ssm50"),
      of("cold_ssm50_deno_vs_powertools", "deno_powertools50", "deno_ssm50"),
      of("cold_ssm50_node_over_empty", "node_ssm50", "node_empty"),
      of("cold_ssm50_deno_over_empty", "deno_ssm50", "deno_empty"),
      of("cold_local_node_over_empty", "node_local", "node_empty"),
      of("cold_local_deno_over_empty", "deno_local", "deno_empty"),
      of("cold_ssm50_deno_lazy_over_empty", "deno_ssm50_lazy", "deno_empty"),
      of("cold_local_deno_lazy_over_empty", "deno_local_lazy", "deno_empty"),
      of("cli_get_local_vs_yaml_floor", "deno_cli_get", "deno_yaml_floor"),
      of("cli_get_local_source_vs_yaml_floor", "deno_cli_get_source", "deno_yaml_floor"),
      of("cli_get_local_node_vs_yaml_floor", "node_cli_get", "node_yaml_floor"),
      of("bundled_local_node_over_empty", "node_bundled_local", "node_empty"),
      of("bundled_ssm50_node_vs_powertools", "node_powertools50", "node_bundled_ssm50"),
      of("bundled_ssm50_node_over_floor", "node_bundled_ssm50", "node_ssm50_floor"),
      of("bundled_local_deno_over_empty", "deno_bundled_local", "deno_empty_no_config"),
      of("bundled_ssm50_deno_over_empty", "deno_bundled_ssm50", "deno_empty_no_config"),
      of("bundled_ssm50_deno_vs_powertools", "deno_powertools50", "deno_bundled_ssm50"),
      // The floors: what no library at all takes (see NODE_SSM_FLOOR), and a YAML file parsed.
      of("cold_ssm50_node_floor_over_empty", "node_ssm50_floor", "node_empty"),
      of("cold_ssm50_deno_floor_over_empty", "deno_ssm50_floor", "deno_empty"),
      of("cold_ssm50_node_over_floor", "node_ssm50", "node_ssm50_floor"),
      of("cold_ssm50_deno_over_floor", "deno_ssm50", "deno_ssm50_floor"),
      of("bundled_ssm50_deno_over_floor", "deno_bundled_ssm50", "deno_ssm50_floor"),
      of("cold_local_node_floor_over_empty", "node_local_floor", "node_empty"),
      of("cold_local_deno_floor_over_empty", "deno_local_floor", "deno_empty"),
      of("cold_local_node_over_floor", "node_local", "node_local_floor"),
      of("cold_local_deno_over_floor", "deno_local", "deno_local_floor"),
    ];
  };
  return [
    ...ratios(""),
    ...ratios(DEFAULT_ENV_SUFFIX),
    ...envs.flatMap(([suffix]) => probes.map((p) => ms(p.name + suffix))),
    { name: "cold_rounds", value: rounds, unit: "rounds" },
  ];
}

if (import.meta.main) {
  const rounds = Deno.args[0] === undefined ? COLD_ROUNDS : Number(Deno.args[0]);
  for (const f of await benchCold(rounds)) {
    console.log(`${f.name.padEnd(40)} ${String(f.value).padStart(10)} ${f.unit}`);
  }
}
