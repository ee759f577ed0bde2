import assert from "node:assert/strict";
import { VERSION } from "../../src/cli/_version.ts";
import { buildCli } from "../../scripts/build_cli.ts";
import { tempFiles } from "./_io.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../mod.ts";

const ROOT = new URL("../../", import.meta.url);

/** The `deno run ...` arguments of the `cli` task in deno.json (without `deno`). */
async function cliTaskArgs(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    tasks: Record<string, string>;
  };
  const words = denoJson.tasks["cli"]!.trim().split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1);
}

async function holoconf(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...await cliTaskArgs(), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Starts the CLI as the `cli` task does, stdout and stderr piped, for streaming tests. */
async function spawnHoloconf(args: string[], stdin: "null" | "piped"): Promise<Deno.ChildProcess> {
  return new Deno.Command(Deno.execPath(), {
    args: [...await cliTaskArgs(), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("holoconf --version runs as a process with the cli task's permissions", async () => {
  const r = await holoconf(["--version"]);
  assert.deepEqual(r, { code: 0, stdout: `holoconf ${VERSION}\n`, stderr: "" });
});

Deno.test("holoconf get runs as a process: value on stdout, exit codes 0/1/2", async () => {
  await using t = await tempFiles({
    "app.yaml": "database:\n  host: ${env:HOLOCONF_E2E_HOST}\n  port: 5432\n",
  });
  const env = { HOLOCONF_E2E_HOST: "db.internal" };
  const ok = await holoconf(["get", t.path("app.yaml"), "database.host", "-r"], env);
  assert.deepEqual(ok, { code: 0, stdout: "db.internal\n", stderr: "" });
  const json = await holoconf(["get", t.path("app.yaml"), "database", "-r", "-f", "json"], env);
  assert.deepEqual(JSON.parse(json.stdout), { host: "db.internal", port: 5432 });
  const missing = await holoconf(["get", t.path("app.yaml"), "nope"]);
  assert.deepEqual(missing, { code: 1, stdout: "", stderr: "Error: Path 'nope' not found\n" });
  const unloadable = await holoconf(["get", t.path("gone.yaml"), "a"]);
  assert.equal(unloadable.code, 2);
  // Not a terminal: no escape codes even without NO_COLOR.
  const check = await holoconf(["check", t.path("app.yaml")], { NO_COLOR: "" });
  assert.equal(check.stdout, `✓ ${t.path("app.yaml")}: valid YAML\n`);
});

Deno.test("a leading -- (as `deno task cli -- ...` passes it) is ignored", async () => {
  const r = await holoconf(["--", "--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^holoconf \d+\.\d+\.\d+/);
});

Deno.test("holoconf get -r as a process loads the resolver modules the config uses", async () => {
  await using t = await tempFiles({
    "app.yaml": "a: ${json:${base64:eyJ4IjogWzEsMl19}}\n" +
      "b: ${split:${env:HOLOCONF_E2E_LIST}}\n" +
      "c: ${file:note.txt}\n",
    "note.txt": "hello",
  });
  const env = { HOLOCONF_E2E_LIST: "x,y" };
  const r = await holoconf(["dump", t.path("app.yaml"), "--resolve", "-f", "json"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { a: { x: [1, 2] }, b: ["x", "y"], c: "hello" });
});

/**
 * The files `deno compile` lists under "Embedded Files", as paths from the project root; a
 * directory it shows folded (`cli/*`) ends with `/*`.
 */
function embeddedFiles(listing: string): string[] {
  const lines = listing.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Embedded Files");
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^([│ ]*)[├└]─[─┬] (.+?) \(/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 2;
    stack.length = depth;
    stack.push(m[2]!);
    if (!line.includes("─┬")) out.push(stack.join("/"));
  }
  return out;
}

function isEmbedded(files: string[], path: string): boolean {
  return files.some((f) => f === path || (f.endsWith("/*") && path.startsWith(f.slice(0, -1))));
}

Deno.test("deno task compile embeds every file of the CLI bundle and the npm packages it loads", async () => {
  // `deno compile` downloads its runtime (denort) for the last step, which this machine cannot
  // reach. DENORT_BIN points that step at the running deno instead: everything before it runs
  // as for a release build (type check, module graph, literal import() targets, the npm
  // snapshot); the file written is not a working holoconf, so it is only checked for size and
  // discarded. The bundle (which holds every catalogue module: tests/scripts/build_cli_test.ts)
  // is built into a scratch directory of the repository, where deno.json's import map applies.
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    tasks: Record<string, string>;
  };
  const [build, compile] = denoJson.tasks["compile"]!.split("&&").map((c) => c.trim().split(/\s+/));
  assert.deepEqual(build, ["deno", "task", "build:cli"]);
  assert.deepEqual(compile!.slice(0, 2), ["deno", "compile"]);
  assert.equal(compile!.at(-1), "dist/cli/main.js");
  const root = new URL(".", ROOT).pathname;
  await Deno.mkdir(`${root}.tmp`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${root}.tmp`, prefix: "holoconf_compile_" });
  try {
    const main = await buildCli(`${dir}/cli`);
    const args = compile!.slice(1);
    args[args.indexOf("--output") + 1] = `${dir}/holoconf`;
    args[args.length - 1] = main;
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    const files = embeddedFiles(text);
    for await (const entry of Deno.readDir(`${dir}/cli`)) {
      const path = `${dir.slice(root.length)}/cli/${entry.name}`;
      assert.ok(isEmbedded(files, path), `${path} is not embedded:\n${files.join("\n")}`);
    }
    // npm packages: those the resolvers import on first use, not those of tests and benchmarks.
    for (const pkg of ["client-ssm", "client-s3", "client-cloudformation", "js-yaml", "undici"]) {
      assert.ok(text.includes(pkg), `${pkg} is not embedded:\n${text}`);
    }
    for (const pkg of ["fast-check", "aws-lambda-powertools", "zod", "valibot"]) {
      assert.ok(!text.includes(pkg), `${pkg} is embedded:\n${text}`);
    }
    assert.ok((await Deno.stat(`${dir}/holoconf`)).size > 1_000_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holoconf dump into a pipe closed after the first chunk exits quietly", async () => {
  // ≈ 2 MB of output: far more than a pipe holds, so writes go on after the reader is gone.
  const lines = Array.from({ length: 40_000 }, (_, i) => `  k${i}: value-${i}-${"x".repeat(32)}`);
  await using t = await tempFiles({ "big.yaml": `items:\n${lines.join("\n")}\n` });
  const child = await spawnHoloconf(["dump", t.path("big.yaml")], "null");
  const reader = child.stdout.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  assert.match(new TextDecoder().decode(first.value), /^items:\n {2}k0: /);
  // Like `head` exiting: the read end of the pipe is closed while the CLI still writes.
  await reader.cancel();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.equal(stderr, "");
  assert.equal(status.code, 0);
});

Deno.test("holoconf get - reads the config from standard input as a process", async () => {
  const child = await spawnHoloconf(["get", "-", "db.url", "-r"], "piped");
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("db:\n  host: piped\n  url: pg://${.host}/x\n"));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  assert.equal(decoder.decode(out.stderr), "");
  assert.equal(decoder.decode(out.stdout), "pg://piped/x\n");
  assert.equal(out.code, 0);
});

Deno.test("holoconf get - refuses standard input over the config file limit, as for a file", async () => {
  const child = await spawnHoloconf(["get", "-", "a"], "piped");
  const writer = child.stdin.getWriter();
  const head = new TextEncoder().encode("a: 1\n#");
  const body = new Uint8Array(MAX_CONFIG_FILE_BYTES + 1 - head.length).fill(0x78); // a comment
  const written = (async () => {
    try {
      await writer.write(head);
      await writer.write(body);
      await writer.close();
    } catch {
      // The CLI stopped reading once past the limit.
    }
  })();
  const out = await child.output();
  await written;
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(stderr, new RegExp(`larger than ${MAX_CONFIG_FILE_BYTES} bytes \\(16 MiB\\)`));
  assert.equal(new TextDecoder().decode(out.stdout), "");
});
