// The README's Lambda recipe on the installed package: a local-only handler bundled with esbuild
// (the AWS SDK and the other optional peers external), then run by `node`. scripts/test_npm.ts
// installs esbuild next to the package and passes the recipe's arguments
// (LAMBDA_BUNDLE_ARGS of scripts/build_npm.ts) in HOLOCONF_LAMBDA_BUNDLE_ARGS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const PROJECT = fileURLToPath(new URL(".", import.meta.url));

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: PROJECT }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

test("a handler bundled by the README's recipe registers the built-ins and resolves at cold start", async () => {
  const args = JSON.parse(process.env.HOLOCONF_LAMBDA_BUNDLE_ARGS ?? "null");
  assert.ok(Array.isArray(args) && args.includes("--bundle"), "the recipe's arguments");
  const dir = join(PROJECT, "bundle-test");
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(
      join(dir, "handler.mjs"),
      'import { Config } from "holoconf";\n' +
        'const ready = Config.loads("env: ${env:HOLOCONF_BUNDLE_ENV,default=dev}\\n' +
        'url: https://${env}.example\\n").resolveAll();\n' +
        "export const handler = async () => (await ready).url;\n",
    );
    const built = await run(join(PROJECT, "node_modules", ".bin", "esbuild"), [
      join(dir, "handler.mjs"),
      ...args,
      `--outfile=${join(dir, "dist", "handler.mjs")}`,
      "--log-level=error",
    ]);
    assert.equal(built.code, 0, built.stderr);
    const bundle = await readFile(join(dir, "dist", "handler.mjs"), "utf8");
    assert.ok(!bundle.includes("@aws-sdk/client-ssm/dist"), "the AWS SDK is not bundled");
    await writeFile(
      join(dir, "invoke.mjs"),
      'const { handler } = await import("./dist/handler.mjs");\nconsole.log(await handler({}));\n',
    );
    const out = await run(process.execPath, [join(dir, "invoke.mjs")]);
    assert.deepEqual(out, { code: 0, stdout: "https://dev.example\n", stderr: "" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
