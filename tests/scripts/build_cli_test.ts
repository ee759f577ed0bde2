// Tests of scripts/build_cli.ts: the CLI bundle the install line and the compile task run.

import assert from "node:assert/strict";
import {
  buildCli,
  bundleApp,
  bundleImports,
  DENO_APP_BUNDLE_ARGS,
  npmSpecifiers,
} from "../../scripts/build_cli.ts";
import { startFakeAws } from "../fakes/fake_aws.ts";
import { CATALOGUE } from "../../resolvers/catalogue.ts";
import { denoRunFlags } from "../../scripts/_conformance_lib.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("bundleImports reads static, side-effect and dynamic imports of minified code", () => {
  const code =
    'import{a as b,c}from"./chunk-A.js";import"./chunk-B.js";import*as m from"js-yaml";' +
    'import d,{e}from"./chunk-C.js";export{f}from"./chunk-D.js";' +
    'const x=n.length===0?"no file roots to read it from":"cannot",y=()=>import("./ssm-E.js");' +
    'const z=await import("aws4");';
  const found = bundleImports(code);
  assert.deepEqual([...found.static].sort(), [
    "./chunk-A.js",
    "./chunk-B.js",
    "./chunk-C.js",
    "./chunk-D.js",
    "js-yaml",
  ]);
  assert.deepEqual([...found.dynamic].sort(), ["./ssm-E.js", "aws4"]);
});

Deno.test("npmSpecifiers lists the import map's npm packages only", () => {
  assert.deepEqual(
    npmSpecifiers({ "js-yaml": "npm:js-yaml@^5", holoconf: "./mod.ts", "a/b": "npm:a@1/b" }),
    ["js-yaml", "a/b"],
  );
});

Deno.test("the CLI bundle answers like the sources, and loads its on-demand modules on demand", async () => {
  // Inside the repository: deno.json's import map applies to the bundle's bare specifiers there.
  await Deno.mkdir(`${ROOT}/.tmp`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/.tmp`, prefix: "cli_bundle_test_" });
  try {
    const main = await buildCli(`${dir}/cli`);
    await Deno.writeTextFile(`${dir}/app.yaml`, "db:\n  host: ${env:HOLOCONF_BUNDLE_HOST}\n");
    const tasks = (JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as {
      tasks: Record<string, string>;
    }).tasks;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...denoRunFlags(tasks.cli!),
        "--config",
        `${ROOT}/deno.json`,
        main,
        "get",
        `${dir}/app.yaml`,
        "db.host",
        "-r",
      ],
      env: { HOLOCONF_BUNDLE_HOST: "db.internal", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.equal(text.decode(out.stderr), "");
    assert.equal(text.decode(out.stdout), "db.internal\n");

    // Every module loaded on first use is a chunk of its own, named after its module.
    const files = (await Array.fromAsync(Deno.readDir(`${dir}/cli`))).map((e) => e.name);
    const onDemand = [
      ...CATALOGUE.filter((e) => e.load !== undefined).map((e) => e.module),
      "_args.ts",
      "plan.ts",
    ].map((m) => m.split("/").pop()!.replace(/\.ts$/, ""));
    for (const name of onDemand) {
      assert.ok(files.some((f) => f.startsWith(`${name}-`)), `no chunk for ${name}: ${files}`);
    }
    // What runs at start-up (main.js and the chunks it imports statically) leaves them, and
    // node:util (the general argument parser's), to first use.
    const startup = new Set<string>();
    const visit = async (file: string) => {
      if (startup.has(file)) return;
      startup.add(file);
      const found = bundleImports(await Deno.readTextFile(`${dir}/cli/${file}`));
      assert.ok(!found.static.has("node:util"), `${file} imports node:util at start-up`);
      for (const spec of found.static) if (spec.startsWith("./")) await visit(spec.slice(2));
    };
    await visit("main.js");
    for (const name of onDemand) {
      assert.ok(![...startup].some((f) => f.startsWith(`${name}-`)), `${name} loads at start-up`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a program bundled by the README's Deno recipe runs without deno.json: env, file, csv, schema, ssm over the light transport", async () => {
  await Deno.mkdir(`${ROOT}/.tmp`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/.tmp`, prefix: "app_bundle_test_" });
  const fake = await startFakeAws({
    ssm: { "/bundle/token": "tok-1" },
    credentials: { AKIDDENOBUNDLE: "bundle-secret" },
  });
  try {
    // A user's program, importing the package by its JSR name.
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { Config, Schema, ValidationError } from "@holoconf/holoconf";
const schema = Schema.fromYaml("type: object\\nproperties:\\n  port: { type: integer, maximum: 100 }\\n");
const config = Config.loads(
  "port: \${env:BUNDLE_PORT}\\ntoken: \${ssm:/bundle/token}\\nrows: \${csv:\${file:rows.csv,parse=none}}\\n",
  { schema, basePath: Deno.args[0] },
);
const issues = await config.validateCollect();
console.log(JSON.stringify({
  port: await config.get("port"),
  token: await config.get("token"),
  rows: await config.get("rows"),
  issues: issues.map((i) => i.path + " " + i.code),
}));
try {
  await config.validate();
} catch (e) {
  console.log(e instanceof ValidationError, (e as Error).name);
}
`,
    );
    await Deno.writeTextFile(`${dir}/rows.csv`, "a,b\n1,2\n");
    const main = await bundleApp(`${dir}/main.ts`, `${dir}/dist`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--allow-env", "--allow-read", "--allow-net", main, dir],
      cwd: dir,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: dir,
        ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        AWS_ACCESS_KEY_ID: "AKIDDENOBUNDLE",
        AWS_SECRET_ACCESS_KEY: "bundle-secret",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_SSM: fake.url,
        BUNDLE_PORT: "8080",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.equal(text.decode(out.stderr), "");
    const [first, second] = text.decode(out.stdout).trim().split("\n");
    assert.deepEqual(JSON.parse(first!), {
      port: 8080,
      token: "tok-1",
      rows: [{ a: "1", b: "2" }],
      issues: ["port maximum"],
    });
    // --keep-names: the error classes keep their names in the bundle.
    assert.equal(second, "true ValidationError");
    // One signed request, accepted by the fake's signature check.
    assert.deepEqual(fake.requests.map((r) => r.signature), ["valid"]);

    // Everything is inlined but the AWS SDK, which stays a package loaded on first use.
    const bare = new Set<string>();
    for await (const e of Deno.readDir(`${dir}/dist`)) {
      if (!e.name.endsWith(".js")) continue;
      const found = bundleImports(await Deno.readTextFile(`${dir}/dist/${e.name}`));
      for (const spec of found.static) {
        assert.ok(spec.startsWith("./") || spec.startsWith("node:"), `${e.name} imports ${spec}`);
      }
      for (const spec of found.dynamic) {
        if (!spec.startsWith("./") && !spec.startsWith("node:")) bare.add(spec);
      }
    }
    assert.ok(bare.has("@aws-sdk/client-ssm"), [...bare].join(", "));
    for (const spec of bare) assert.match(spec, /^@(aws-sdk|smithy)\//);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the README shows the Deno bundle recipe with the flags the tests and the bench use", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const flags = DENO_APP_BUNDLE_ARGS.map((a) => (a.includes("*") ? `'${a}'` : a)).join(" ");
  assert.ok(readme.includes(`deno bundle ${flags} --outdir dist main.ts`), flags);
});
