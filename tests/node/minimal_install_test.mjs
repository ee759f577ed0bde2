// The package as a YAML + env user installs it: `npm i holoconf` and nothing else, so none of
// the optional peer dependencies (AWS SDK, undici, csv-parse, ...) is there. scripts/test_npm.ts
// runs this file before it installs anything else into the scratch project (and checks the size
// of that install); the other tests run after.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config, ResolveAllError } from "holoconf";

const require = createRequire(import.meta.url);

test("none of the optional peer dependencies was installed with the package", () => {
  const pkg = require("holoconf/package.json");
  const peers = Object.keys(pkg.peerDependencies);
  assert.ok(peers.includes("@aws-sdk/client-ssm") && peers.includes("csv-parse"), String(peers));
  for (const name of peers) {
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, name);
    assert.throws(() => require.resolve(`${name}/package.json`), name);
  }
});

test("a YAML file with env variables and references resolves without the peers, in the library and the CLI", async () => {
  const dir = await mkdtemp(join(tmpdir(), "holoconf-minimal-"));
  try {
    const file = join(dir, "app.yaml");
    await writeFile(
      file,
      "app:\n  env: ${env:HOLOCONF_MINIMAL_ENV,default=dev}\n" +
        "db:\n  host: db.${app.env}.internal\n  url: postgres://${.host}/app\n",
    );
    process.env.HOLOCONF_MINIMAL_ENV = "prod";
    const all = await Config.load(file).resolveAll();
    assert.equal(all.db.url, "postgres://db.prod.internal/app");

    const bin = join(
      require.resolve("holoconf/package.json"),
      "..",
      require("holoconf/package.json").bin.holoconf,
    );
    const out = await new Promise((resolve) => {
      execFile(process.execPath, [bin, "get", file, "db.url", "-r"], (error, stdout, stderr) => {
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
    });
    assert.deepEqual(out, { code: 0, stdout: "postgres://db.prod.internal/app\n", stderr: "" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("${csv:} without csv-parse fails with an error that names the package to install", async () => {
  const config = Config.loads("rows: ${csv:name}\n");
  const error = await config.resolveAll().then(() => undefined, (e) => e);
  assert.ok(error instanceof ResolveAllError, String(error));
  const [failure] = error.failures;
  assert.equal(failure.path, "rows");
  assert.equal(failure.error.code, "RESOLVER_ERROR");
  assert.match(failure.error.message, /csv resolver needs the npm package csv-parse/);
  assert.match(failure.error.help, /npm install csv-parse/);
});
