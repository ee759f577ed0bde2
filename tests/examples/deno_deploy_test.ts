import assert from "node:assert/strict";
import { startFakeAws } from "../fakes/fake_aws.ts";
import { HangError, noHang } from "../_async.ts";
import { missingSdkTripwires, writeTripwireImportMap } from "../_tripwire.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const EXAMPLE = "examples/deno_deploy.ts";
const TLS_DIR = new URL("../fixtures/tls/", import.meta.url).pathname;
const CA_PEM = Deno.readTextFileSync(`${TLS_DIR}ca.pem`);
const SERVER_CERT = Deno.readTextFileSync(`${TLS_DIR}server.pem`);
const SERVER_KEY = Deno.readTextFileSync(`${TLS_DIR}server.key`);
const SECRET = "edge-db-pa55-91b2";

/** Permission checks the subprocess made, from Deno's audit log (DENO_AUDIT_PERMISSIONS). */
function auditEntries(file: string): { permission: string; value: string | null }[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], cwd: ROOT })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

/**
 * Environment of the edge process: only what it is given. Deno Deploy sets no HOME either, so
 * nothing can even look for ~/.aws files.
 */
async function edgeEnv(
  extra: Record<string, string>,
  auditFile: string,
): Promise<Record<string, string>> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: await denoDir(),
    NO_COLOR: "1",
    DENO_AUDIT_PERMISSIONS: auditFile,
    ...extra,
  };
}

Deno.test("deno_deploy example: importing it touches no file and makes no request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf-edge-import-" });
  try {
    const audit = `${dir}/audit.jsonl`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-env", "--allow-net=127.0.0.1", EXAMPLE],
      cwd: ROOT,
      env: await edgeEnv({}, audit),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    // `deno run` only imports the module (and suggests `deno serve` for its default export).
    const stderr = new TextDecoder().decode(out.stderr);
    assert.doesNotMatch(stderr, /error/i);
    assert.equal(out.code, 0, stderr);
    const checks = auditEntries(audit);
    assert.deepEqual(checks.filter((c) => c.permission !== "env"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno_deploy example: env, https and ssm resolve without read permission or the AWS SDK", async () => {
  const fake = await startFakeAws({
    ssm: { "/edge-demo/db-password": { value: SECRET, type: "SecureString" } },
  });
  const flagsRequests: string[] = [];
  const flags = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: SERVER_CERT,
    key: SERVER_KEY,
    onListen: () => {},
  }, (req) => {
    flagsRequests.push(new URL(req.url).pathname);
    return Response.json({ beta: true, rollout: 25 });
  });
  const dir = await Deno.makeTempDir({ prefix: "holoconf-edge-serve-" });
  const audit = `${dir}/audit.jsonl`;
  // The project's import map, with the AWS SDK's packages replaced by tripwires.
  await writeTripwireImportMap(dir, missingSdkTripwires());
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--no-lock",
      "--config",
      `${dir}/deno.json`,
      "--allow-env",
      "--allow-net=127.0.0.1",
      "--host=127.0.0.1",
      "--port=0",
      EXAMPLE,
    ],
    cwd: ROOT,
    env: await edgeEnv({
      DENO_REGION: "eu-west-1",
      FLAGS_URL: `127.0.0.1:${flags.addr.port}/v1/flags.json`,
      FLAGS_CA_PEM: CA_PEM,
      SSM_ENDPOINT: fake.url,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDHOLOCONFEDGE",
      AWS_SECRET_ACCESS_KEY: "holoconf-edge-secret",
    }, audit),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  // `deno serve` prints where it listens (on stderr) once the module is loaded.
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  let onListening: (port: string) => void = () => {};
  const listening = new Promise<string>((resolve) => onListening = resolve);
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      printed += value;
      const m = printed.match(/Listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m !== null) onListening(m[1]!);
    }
  })();
  try {
    // A server that never comes up fails the test instead of hanging the run.
    const port = await noHang(
      Promise.race([listening, child.status.then(() => undefined)]),
      "deno serve start",
      60_000,
    ).catch((e) => {
      if (e instanceof HangError) return undefined;
      throw e;
    });
    assert.ok(port, `deno serve did not start: ${printed}`);
    const base = `http://127.0.0.1:${port}`;

    const first = await fetch(`${base}/config`);
    const body = await first.text();
    assert.equal(first.status, 200, body);
    assert.deepEqual(JSON.parse(body), {
      app: { name: "edge-demo", region: "eu-west-1" },
      flags: { beta: true, rollout: 25 },
      database: {
        host: "db.eu-west-1.internal",
        password: "[REDACTED]",
        url: "[REDACTED]",
      },
    });
    assert.ok(!body.includes(SECRET));

    // One Config per isolate: a second request reuses the resolved values.
    const second = await fetch(`${base}/config`);
    assert.equal(await second.text(), body);
    assert.deepEqual(flagsRequests, ["/v1/flags.json"]);
    assert.equal(fake.count("GetParameters") + fake.count("GetParameter"), 1);

    const missing = await fetch(`${base}/elsewhere`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();

    // No file was read, written or even looked up, and nothing asked about the system: no
    // read/write/run/ffi/sys check at all (the light transport signs with WebCrypto and sends
    // with fetch; the AWS SDK, which would ask for the OS version, never loaded).
    const checks = auditEntries(audit);
    assert.deepEqual(checks.filter((c) => c.permission !== "env" && c.permission !== "net"), []);
    assert.doesNotMatch(printed, /TRIPWIRE/);
    assert.equal(fake.requests[0]!.signature, "valid");
  } finally {
    try {
      child.kill();
    } catch {
      // already exited
    }
    await child.status;
    await rest;
    await flags.shutdown();
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
