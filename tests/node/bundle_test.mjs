// The README's Lambda recipe on the installed package: a local-only handler bundled with esbuild
// (the AWS SDK and the other optional peers external), then run by `node`. scripts/test_npm.ts
// installs esbuild next to the package and passes the recipe's arguments
// (LAMBDA_BUNDLE_ARGS of scripts/build_npm.ts) in HOLOCONF_LAMBDA_BUNDLE_ARGS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
      `--outdir=${join(dir, "dist")}`,
      "--log-level=error",
    ]);
    assert.equal(built.code, 0, built.stderr);
    const files = await readdir(join(dir, "dist"));
    const code = Object.fromEntries(
      await Promise.all(files.map(async (f) => [f, await readFile(join(dir, "dist", f), "utf8")])),
    );
    for (const [file, text] of Object.entries(code)) {
      assert.ok(!text.includes("@aws-sdk/client-ssm/dist"), `the AWS SDK is bundled in ${file}`);
    }
    // What the handler loads at start-up (its file and the chunks it imports statically) leaves
    // the modules holoconf loads on first use, and the packages only they need, to first use.
    const startup = new Set();
    const visit = (file) => {
      if (startup.has(file)) return;
      startup.add(file);
      for (
        const m of code[file].matchAll(
          /\b(?:import|export)\b[^;"]*?from\s*"\.\/([^"]+)"|\bimport\s*"\.\/([^"]+)"/g,
        )
      ) {
        visit(m[1] ?? m[2]);
      }
    };
    visit("handler.mjs");
    // The SigV4 signers (aws4, aws4fetch) are such packages: their files hold "aws4_request".
    const signers = files.filter((f) => code[f].includes("aws4_request"));
    assert.ok(signers.length > 0, "the signers are bundled");
    for (const f of signers) assert.ok(!startup.has(f), `${f} loads at start-up`);
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
