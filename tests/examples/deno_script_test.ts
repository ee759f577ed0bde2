import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("deno_script example: lazy gets, resolveAll and a redacted dump of config.yaml", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read=examples", "examples/deno_script.ts"],
    cwd: ROOT,
    env: { APP_ENV: "staging", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.equal(out.code, 0);
  assert.match(stdout, /^app\.env = staging$/m);
  assert.match(stdout, /^database\.host = db\.staging\.internal$/m);
  assert.match(stdout, /^cache\.primary = cache-a:6379$/m);
  // Lazy: none of the gets above needed a secret; resolveAll looked up both.
  assert.match(stdout, /^secrets looked up so far: 0$/m);
  assert.match(stdout, /^secrets looked up after resolveAll: 2$/m);
  assert.match(stdout, /^database\.port = 5432$/m);
  assert.match(stdout, /^ {2}user: shop_app$/m);
  assert.match(stdout, /^ {2}password: '\[REDACTED\]'$/m);
  assert.match(stdout, /^ {2}url: '\[REDACTED\]'$/m);
  assert.match(stdout, /^ {4}- cache-b:6379$/m);
  assert.ok(!stdout.includes("s3cr3t-pa55"));
});
