// The npm package as a Node user gets it: scripts/test_npm.ts installs the packed tarball into a
// scratch project, copies this file there, and runs `node --test` on it. Everything here imports
// `holoconf` by its package name and runs the installed `holoconf` bin.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Config, NotFoundError, registerResolver, ResolvedValue, ResolverError } from "holoconf";
import { configureSsm, reset as resetAws } from "holoconf/aws";
import { startFakeSsm } from "./_fake_ssm.mjs";

const PROJECT = fileURLToPath(new URL(".", import.meta.url));
const SECRET = "pa55-from-ssm-7f3a";

const CONFIG = `
app:
  name: billing
  env: \${env:HOLOCONF_NODE_TEST_ENV,default=dev}
  port: \${env:HOLOCONF_NODE_TEST_PORT,default=8080}
database:
  host: db.\${app.env}.internal
  user: \${vault:db/user}
  password: \${ssm:/billing/db-password}
  url: postgres://\${.user}:\${.password}@\${.host}/\${app.name}
  region_label: \${ssm:/billing/region-label}
features:
  hosts: \${ssm:/billing/hosts}
  banner: "Welcome to \${app.name}"
`;

// The CLI registers no custom resolvers: its file uses env, references and ssm only.
const CLI_CONFIG = `
app:
  name: billing
  env: \${env:HOLOCONF_NODE_TEST_ENV,default=dev}
database:
  host: db.\${app.env}.internal
  password: \${ssm:/billing/db-password}
  url: postgres://app:\${.password}@\${.host}/\${app.name}
  region_label: \${ssm:/billing/region-label}
`;

let fake;
let dir;
let configFile;
let cliFile;

before(async () => {
  fake = await startFakeSsm({
    "/billing/db-password": { value: SECRET, type: "SecureString" },
    "/billing/region-label": "eu-west-1 (Ireland)",
    "/billing/hosts": { value: "a.internal,b.internal", type: "StringList" },
  });
  // Fake credentials and region from the environment; no shared AWS files.
  process.env.AWS_ACCESS_KEY_ID = "AKIDHOLOCONFTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "holoconf-test-secret-key";
  process.env.AWS_REGION = "us-east-1";
  dir = await mkdtemp(join(tmpdir(), "holoconf-node-"));
  process.env.AWS_CONFIG_FILE = join(dir, "no-aws-config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "no-aws-credentials");
  configFile = join(dir, "config.yaml");
  await writeFile(configFile, CONFIG);
  cliFile = join(dir, "cli.yaml");
  await writeFile(cliFile, CLI_CONFIG);
  configureSsm({ endpoint: fake.url });
});

after(async () => {
  resetAws();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

test("package exports the library and the AWS settings", () => {
  assert.equal(typeof Config.load, "function");
  assert.equal(typeof Config.loads, "function");
  assert.ok(new NotFoundError() instanceof ResolverError);
  assert.equal(typeof configureSsm, "function");
});

test("the minified build keeps the error classes' names, and its stack traces point at the sources", async () => {
  const error = await Config.loads("a: ${b}\n").get("a").catch((e) => e);
  assert.equal(error.name, "PathNotFoundError");
  assert.equal(new NotFoundError("x").name, "NotFoundError");
  // With --enable-source-maps, a frame of the library names its TypeScript file.
  const probe = 'import { Config } from "holoconf";' +
    'try { Config.loads("a: [").getRaw("a"); } catch (e) { console.log(e.stack); }';
  const stack = await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--enable-source-maps", "--input-type=module", "-e", probe],
      { cwd: PROJECT },
      (e, stdout) => e ? reject(e) : resolve(stdout),
    );
  });
  assert.match(stack, /^ParseError: /);
  assert.match(stack, /src\/[a-z_]+\.ts:\d+:\d+/);
});

test("holoconf/core is the same API without the built-ins: importing it registers nothing", async () => {
  // What core registered is read before the main entry is imported, in the same process.
  const probe = 'const core = await import("holoconf/core"); const before = core.resolverNames();' +
    'const main = await import("holoconf");' +
    "console.log(JSON.stringify([before, core.Config === main.Config, main.resolverNames()]));";
  const out = await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", probe],
      { cwd: PROJECT },
      (e, stdout) => e ? reject(e) : resolve(stdout),
    );
  });
  const [before, same, after] = JSON.parse(out);
  assert.deepEqual(before, []);
  assert.equal(same, true);
  assert.ok(after.includes("env") && after.includes("ssm"), String(after));
});

test("loads a file with env, references, a custom async resolver and ssm; redacts the dump", async () => {
  process.env.HOLOCONF_NODE_TEST_ENV = "staging";
  const vaultCalls = [];
  registerResolver("vault", async (key) => {
    vaultCalls.push(key);
    await new Promise((r) => setTimeout(r, 5));
    if (key !== "db/user") throw new NotFoundError();
    return new ResolvedValue("billing_app", { sensitive: false });
  });
  const requestsBefore = fake.requests.length;
  const config = Config.load(configFile);

  // Lazy access resolves only what the path needs.
  assert.equal(await config.get("database.host"), "db.staging.internal");
  assert.equal(await config.get("app.port"), "8080");
  assert.equal(fake.requests.length, requestsBefore);
  assert.deepEqual(vaultCalls, []);

  const all = await config.resolveAll({ timeout: 10_000 });
  assert.equal(all.database.password, SECRET);
  assert.equal(all.database.url, `postgres://billing_app:${SECRET}@db.staging.internal/billing`);
  assert.equal(all.database.region_label, "eu-west-1 (Ireland)");
  assert.deepEqual(all.features.hosts, ["a.internal", "b.internal"]);
  assert.equal(all.features.banner, "Welcome to billing");
  assert.deepEqual(vaultCalls, ["db/user"]);
  // Three names, one batched GetParameters request.
  const batch = fake.requests.slice(requestsBefore);
  assert.equal(batch.length, 1);
  assert.equal(batch[0].operation, "GetParameters");
  assert.deepEqual([...batch[0].names].sort(), [
    "/billing/db-password",
    "/billing/hosts",
    "/billing/region-label",
  ]);

  // Memoized: synchronous access works now.
  assert.equal(config.getSync("database.password"), SECRET);

  const dump = await config.toYaml({ redact: true });
  assert.ok(!dump.includes(SECRET), "no secret text in the redacted dump");
  assert.match(dump, /password: '\[REDACTED\]'/);
  assert.match(dump, /url: '\[REDACTED\]'/);
  assert.match(dump, /region_label: eu-west-1 \(Ireland\)/);
  assert.match(dump, /host: db\.staging\.internal/);
  assert.ok(!JSON.stringify(config).includes(SECRET));
  assert.ok(!String(config).includes(SECRET));
});

test("a missing ssm parameter falls back to default=", async () => {
  const config = Config.loads("x: ${ssm:/billing/absent,default=fallback}\n");
  assert.equal(await config.get("x"), "fallback");
});

/**
 * Node 20 only: the AWS SDK announces (once per process, on stderr) that its releases after
 * January 2027 need Node 22. That notice is the SDK's; anything else on stderr is ours.
 */
function withoutSdkNotice(stderr) {
  return stderr.replace(
    /^\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?to show where the warning was created\)\n/m,
    "",
  );
}

function holoconf(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      "npx",
      ["--no", "--", "holoconf", ...args],
      { cwd: PROJECT, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? error.code : 0, stdout, stderr: withoutSdkNotice(stderr) });
      },
    );
  });
}

test("npx holoconf get prints one value, exit 0; a missing path exits 1", async () => {
  const ok = await holoconf(["get", cliFile, "app.name"]);
  assert.equal(ok.stderr, "");
  assert.equal(ok.stdout, "billing\n");
  assert.equal(ok.code, 0);

  const resolved = await holoconf(["get", cliFile, "database.host", "-r"], {
    HOLOCONF_NODE_TEST_ENV: "prod",
  });
  assert.equal(resolved.stdout, "db.prod.internal\n");
  assert.equal(resolved.code, 0);

  const missing = await holoconf(["get", cliFile, "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /Path 'nope' not found/);
});

test("npx holoconf dump prints the raw config; dump -r resolves ssm and redacts", async () => {
  const raw = await holoconf(["dump", cliFile]);
  assert.equal(raw.code, 0);
  assert.match(raw.stdout, /password: \$\{ssm:\/billing\/db-password\}/);
  assert.match(raw.stdout, /name: billing/);

  const resolved = await holoconf(["dump", cliFile, "-r"], {
    AWS_ENDPOINT_URL_SSM: fake.url,
    HOLOCONF_NODE_TEST_ENV: "prod",
  });
  assert.equal(resolved.stderr, "");
  assert.equal(resolved.code, 0);
  assert.ok(!resolved.stdout.includes(SECRET));
  assert.match(resolved.stdout, /password: '\[REDACTED\]'/);
  assert.match(resolved.stdout, /host: db\.prod\.internal/);
  assert.match(resolved.stdout, /region_label: eu-west-1 \(Ireland\)/);
});

/** The installed package's `holoconf` bin (run with this node, without npx in between). */
async function holoconfBin() {
  const { createRequire } = await import("node:module");
  const manifest = createRequire(import.meta.url).resolve("holoconf/package.json");
  const pkg = createRequire(import.meta.url)("holoconf/package.json");
  return join(dirname(manifest), pkg.bin.holoconf);
}

test("holoconf dump into a pipe closed after the first chunk exits quietly", async () => {
  // About 2 MB of output: far more than a pipe holds, so writes go on after the reader is gone.
  const lines = Array.from({ length: 40_000 }, (_, i) => `  k${i}: value-${i}-${"x".repeat(32)}`);
  const big = join(dir, "big.yaml");
  await writeFile(big, `items:\n${lines.join("\n")}\n`);
  const child = spawn(process.execPath, [await holoconfBin(), "dump", big], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
  const closed = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  const first = await new Promise((resolve) => child.stdout.once("data", resolve));
  assert.match(String(first), /^items:\n {2}k0: /);
  // Like `head` exiting: the read end of the pipe is closed while the CLI still writes.
  child.stdout.destroy();
  const code = await closed;
  assert.equal(withoutSdkNotice(stderr), "");
  assert.equal(code, 0);
});

test("holoconf get - reads the config from standard input", async () => {
  const child = spawn(process.execPath, [await holoconfBin(), "get", "-", "db.url", "-r"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
  const closed = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  child.stdin.end("db:\n  host: piped\n  url: pg://${.host}/x\n");
  const code = await closed;
  assert.equal(withoutSdkNotice(stderr), "");
  assert.equal(stdout, "pg://piped/x\n");
  assert.equal(code, 0);
});

test("package.json names the repository, homepage and issue tracker", async () => {
  const { createRequire } = await import("node:module");
  const pkg = createRequire(import.meta.url)("holoconf/package.json");
  assert.deepEqual(pkg.repository, {
    type: "git",
    url: "git+https://github.com/holoconf/holoconf-ts.git",
  });
  assert.equal(pkg.homepage, "https://github.com/holoconf/holoconf-ts#readme");
  assert.deepEqual(pkg.bugs, { url: "https://github.com/holoconf/holoconf-ts/issues" });
});

test("the package depends on no Standard Schema library: zod and valibot are the examples' only", async () => {
  const { createRequire } = await import("node:module");
  const pkg = createRequire(import.meta.url)("holoconf/package.json");
  const named = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ];
  assert.ok(named.includes("js-yaml"), named.join(", "));
  assert.deepEqual(named.filter((n) => /^(zod|valibot|@standard-schema\/)/.test(n)), []);
});

test("npx holoconf --version matches the package", async () => {
  const { createRequire } = await import("node:module");
  const pkg = createRequire(import.meta.url)("holoconf/package.json");
  const out = await holoconf(["--version"]);
  assert.equal(out.code, 0);
  assert.ok(out.stdout.includes(pkg.version), out.stdout);
});

test("config.watch() on Node: an edit reloads the file and reports the change; stop() ends it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "holoconf-node-watch-"));
  const file = join(dir, "app.yaml");
  await writeFile(file, "db:\n  host: old.internal\n  url: pg://${.host}/app\n");
  const config = Config.load(file);
  assert.equal(await config.get("db.url"), "pg://old.internal/app");
  const changed = new Promise((resolve) => config.onChange(resolve));
  const watch = config.watch({ debounce: 20 });
  try {
    // The same edit again until the change is reported: no assumption on when the watcher is
    // ready or how soon it reports (a repeated edit changes nothing more, so one event comes).
    let set;
    for (let attempt = 0; attempt < 40 && set === undefined; attempt++) {
      await writeFile(file, "db:\n  host: new.internal\n  url: pg://${.host}/app\n");
      set = await Promise.race([changed, new Promise((r) => setTimeout(r, 250))]);
    }
    assert.ok(set !== undefined, "no change event after 40 edits");
    assert.deepEqual(set.failures, []);
    assert.deepEqual(set.changes.map((c) => c.path).sort(), ["db.host", "db.url"]);
    assert.equal(await config.get("db.url"), "pg://new.internal/app");
    // After stop(), an edit is no longer seen.
    watch.stop();
    let later = 0;
    config.onChange(() => later++);
    await writeFile(file, "db:\n  host: third.internal\n  url: pg://${.host}/app\n");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(later, 0);
    assert.equal(await config.get("db.url"), "pg://new.internal/app");
  } finally {
    watch.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
