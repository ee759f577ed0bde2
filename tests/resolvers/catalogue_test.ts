// Tests of the built-in resolver catalogue: one entry per built-in, pointing at the module and
// export that hold it; the synchronous ones load with the library, the others on first use;
// every built-in declares the arguments it accepts.

import assert from "node:assert/strict";
import { Config, getResolver, ParseError, resolverNames } from "../../mod.ts";
import { CATALOGUE, loadEntry, registerBuiltins } from "../../resolvers/catalogue.ts";
import { ResolverRegistry } from "../../src/registry.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("each catalogue entry is the named export of its module, the very object mod.ts registers", async () => {
  const names = CATALOGUE.map((e) => e.name);
  assert.equal(new Set(names).size, names.length, "names are unique");
  assert.deepEqual(resolverNames(), names);
  for (const entry of CATALOGUE) {
    const module = await import(new URL(`resolvers/${entry.module}`, ROOT).href);
    const resolver = module[entry.export];
    assert.ok(resolver !== undefined, `resolvers/${entry.module} exports ${entry.export}`);
    assert.equal(await loadEntry(entry), resolver, entry.name);
    assert.equal(await getResolver(entry.name), resolver, entry.name);
    // Exactly one way to get it: with the library, or through its literal import().
    assert.ok((entry.resolver === undefined) !== (entry.load === undefined), entry.name);
  }
});

Deno.test("mod.ts imports the synchronous built-ins and reaches the others only through import()", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  type Dependency = { code?: { specifier: string }; isDynamic?: boolean };
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const deps = new Map(graph.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const reach = (dynamic: boolean): Set<string> => {
    const seen = new Set<string>();
    const visit = (specifier: string) => {
      if (seen.has(specifier)) return;
      seen.add(specifier);
      for (const d of deps.get(specifier) ?? []) {
        if (d.code !== undefined && (dynamic || !d.isDynamic)) visit(d.code.specifier);
      }
    };
    visit(new URL("mod.ts", ROOT).href);
    return seen;
  };
  const loaded = reach(false);
  const reachable = reach(true);
  for (const entry of CATALOGUE) {
    const url = new URL(`resolvers/${entry.module}`, ROOT).href;
    assert.equal(
      loaded.has(url),
      entry.resolver !== undefined,
      `${entry.module} loaded with mod.ts`,
    );
    assert.ok(reachable.has(url), `${entry.module} reachable through a literal import()`);
  }
  // The only npm package loaded with the library is the YAML parser.
  const packages = [...loaded].filter((u) => u.startsWith("npm:")).map((u) =>
    u.slice(4).replace(/(?<=.)@.*$/, "")
  );
  assert.deepEqual(packages, ["js-yaml"]);
});

Deno.test("registerBuiltins registers the synchronous built-ins loaded and the others lazily, taken names kept", async () => {
  const registry = new ResolverRegistry();
  const mine = () => "mine";
  registry.register("csv", mine);
  registerBuiltins(registry);
  assert.deepEqual(registry.names(), [
    "csv",
    ...CATALOGUE.map((e) => e.name).filter((n) => n !== "csv"),
  ]);
  for (const entry of CATALOGUE) {
    if (entry.name === "csv") continue;
    assert.equal(registry.get(entry.name)?.resolver, entry.resolver, entry.name);
  }
  assert.equal(registry.get("csv")?.resolver, mine);
  const ssm = await registry.lookup("ssm");
  assert.equal(ssm?.resolver, await getResolver("ssm"));
  assert.equal(ssm?.batchSize, 10); // read from the loaded object, as for an eager one
  registerBuiltins(registry); // a second copy of the library: nothing changes
  assert.equal(registry.get("ssm"), ssm);
});

/** The documented keywords of `http` and `https` (README "Resolvers"). */
const HTTP_KEYWORDS = [
  "timeout",
  "header",
  "parse",
  "proxy",
  "ca_bundle",
  "extra_ca_bundle",
  "client_cert",
  "client_key",
  "key_password",
  "insecure",
];

/** The keyword arguments each built-in documents (README "Resolvers"). */
const KEYWORDS: Record<string, string[]> = {
  env: [],
  file: ["encoding", "parse"],
  json: [],
  yaml: [],
  split: ["delim", "trim", "skip_empty", "limit"],
  csv: ["header", "delim", "trim"],
  base64: [],
  extract: ["path", "password"],
  http: HTTP_KEYWORDS,
  https: HTTP_KEYWORDS,
  ssm: ["region", "profile", "endpoint", "recursive"],
  s3: ["parse", "region", "profile", "endpoint"],
  cfn: ["region", "profile", "endpoint"],
  secretsmanager: ["key", "version_stage", "version_id", "parse", "region", "profile", "endpoint"],
  appconfig: ["parse", "region", "profile", "endpoint"],
};

async function failure(config: Config, path: string): Promise<ParseError> {
  try {
    await config.get(path);
  } catch (e) {
    assert.ok(e instanceof ParseError, `${path}: ${String(e)}`);
    return e;
  }
  throw new Error(`get(${path}) succeeded`);
}

Deno.test("every built-in refuses a second positional argument and an unknown keyword", async () => {
  assert.deepEqual(Object.keys(KEYWORDS).sort(), CATALOGUE.map((e) => e.name).sort());
  for (const [name, keywords] of Object.entries(KEYWORDS)) {
    const config = Config.loads(
      `two: \${${name}:a/b,c/d}\nunknown: \${${name}:a/b,no_such_keyword=1}\n`,
      { allowHttp: true, basePath: "." },
    );
    const accepted = `Accepted keywords: ${
      [...keywords, "default", "sensitive", "ttl"].join(", ")
    }`;
    const two = await failure(config, "two");
    assert.equal(two.code, "TOO_MANY_ARGUMENTS", name);
    assert.deepEqual(two.detail, [accepted], name);
    const unknown = await failure(config, "unknown");
    assert.equal(unknown.code, "UNKNOWN_KEYWORD", name);
    assert.deepEqual(unknown.detail, [accepted], name);
  }
});

Deno.test("a lazily loaded built-in declares in the catalogue the settings its module declares", async () => {
  for (const entry of CATALOGUE) {
    const loaded = await loadEntry(entry);
    const own = typeof loaded === "function" ? undefined : loaded.settingsSpec;
    if (entry.resolver !== undefined) {
      assert.equal(entry.settingsSpec, undefined, entry.name);
      continue;
    }
    assert.deepEqual(entry.settingsSpec ?? [], own ?? [], entry.name);
  }
});

Deno.test("a lazily loaded built-in declares in the catalogue the network and sensitive traits of its module", async () => {
  for (const entry of CATALOGUE) {
    const loaded = await loadEntry(entry);
    const own: { network?: boolean; sensitive?: boolean } = typeof loaded === "function"
      ? {}
      : loaded;
    if (entry.resolver !== undefined) {
      assert.deepEqual([entry.network, entry.sensitive], [undefined, undefined], entry.name);
      continue;
    }
    assert.equal(entry.network ?? false, own.network ?? false, `${entry.name}: network`);
    assert.equal(entry.sensitive ?? false, own.sensitive ?? false, `${entry.name}: sensitive`);
  }
  // The registry answers before the module loads.
  const registry = new ResolverRegistry();
  registerBuiltins(registry);
  assert.equal(registry.get("secretsmanager"), undefined);
  assert.deepEqual(registry.declared("secretsmanager"), { network: true, sensitive: true });
  assert.deepEqual(registry.declared("csv"), { network: false, sensitive: false });
});

Deno.test("settings of a built-in that is not loaded yet are accepted before its first use", async () => {
  const registry = new ResolverRegistry();
  registerBuiltins(registry);
  assert.equal(registry.get("http"), undefined); // not loaded
  assert.deepEqual(registry.settingsSpecOf("http").map((s) => s.key), ["http"]);
  assert.deepEqual(registry.settingsSpecOf("ssm").map((s) => s.key), ["aws", "ssm"]);
  // Through a Config (the process-wide registry of mod.ts): the group is known before any load.
  const config = Config.loads("a: ${https:example.invalid/x}\n", {
    resolverSettings: { http: { allow: true, allowlist: ["https://allowed.invalid/*"] } },
  });
  await assert.rejects(config.get("a"), /not in allowlist/i);
});

Deno.test("exactly the built-ins that reach the network declare it (offline refuses them)", async () => {
  const network: string[] = [];
  for (const entry of CATALOGUE) {
    const loaded = await loadEntry(entry);
    if (typeof loaded !== "function" && loaded.network === true) network.push(entry.name);
  }
  assert.deepEqual(network.sort(), [
    "appconfig",
    "cfn",
    "http",
    "https",
    "s3",
    "secretsmanager",
    "ssm",
  ]);
});

// ------------------------------------------------------------------ names written once

/** Words before which a `/` starts a regular expression, not a division. */
const BEFORE_REGEXP = new Set([
  "return",
  "typeof",
  "case",
  "in",
  "of",
  "delete",
  "void",
  "throw",
  "new",
  "else",
  "do",
  "instanceof",
  "yield",
  "await",
]);

/**
 * The string literals of TypeScript source, comments left out: quoted strings, and template
 * literals without substitutions (a template's parts around `${...}` are not literals of their
 * own). Regular expression literals are skipped. Enough of a lexer for this repository's code.
 */
function stringLiterals(src: string): { value: string; line: number }[] {
  const found: { value: string; line: number }[] = [];
  let i = 0;
  let line = 1;
  let prev = ""; // the last token: a word, a punctuation character, or "" at the start
  let depth = 0; // open braces
  const templates: number[] = []; // brace depth of each open `${`
  /** Reads a template from after its opening `` ` `` or `}`; `whole` when it has no `${`. */
  const template = (whole: boolean) => {
    const start = line;
    let value = "";
    while (i < src.length) {
      const c = src[i]!;
      if (c === "\\") {
        value += src[i + 1];
        i += 2;
      } else if (c === "`") {
        i++;
        if (whole) found.push({ value, line: start });
        prev = "str";
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        i += 2;
        templates.push(depth++);
        prev = "(";
        return;
      } else {
        if (c === "\n") line++;
        value += c;
        i++;
      }
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      line += src.slice(i, end).split("\n").length - 1;
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const start = line;
      let value = "";
      for (i++; i < src.length && src[i] !== c; i++) {
        if (src[i] === "\\") value += src[++i];
        else value += src[i];
      }
      i++;
      found.push({ value, line: start });
      prev = "str";
    } else if (c === "`") {
      i++;
      template(true);
    } else if (c === "}" && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      i++;
      template(false);
    } else if (
      c === "/" && (prev === "" || /^[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) ||
        BEFORE_REGEXP.has(prev))
    ) {
      let inClass = false;
      for (i++; i < src.length && (inClass || src[i] !== "/"); i++) {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") inClass = true;
        else if (src[i] === "]") inClass = false;
      }
      for (i++; /[a-z]/.test(src[i] ?? ""); i++);
      prev = "regexp";
    } else if (/[\w$]/.test(c)) {
      const word = /^[\w$]+/.exec(src.slice(i))![0];
      i += word.length;
      prev = word;
    } else {
      if (c === "{") depth++;
      if (c === "}") depth--;
      prev = c;
      i++;
    }
  }
  return found;
}

Deno.test("stringLiterals: strings and plain templates, not comments, regexps or template parts", () => {
  const src = [
    '// "ssm" in a comment',
    "/* 's3' in a block",
    '   comment */ const a = \'ssm\'; const b = "s3\\"x";',
    "const re = /\"cfn\"|'x'/g; const d = a / 2 / 3;",
    "const t = `cfn`; const u = `${a}ssm${`s3`}`;",
    "type T = \"json\" | 'yaml';",
  ].join("\n");
  assert.deepEqual(stringLiterals(src), [
    { value: "ssm", line: 3 },
    { value: 's3"x', line: 3 },
    { value: "cfn", line: 5 },
    { value: "s3", line: 5 },
    { value: "json", line: 6 },
    { value: "yaml", line: 6 },
  ]);
});

/**
 * Literal occurrences of a built-in's name outside its own module, the catalogue and its
 * family's settings data, each with its reason (a file, or a folder ending in `/`).
 */
const NAME_EXCEPTIONS: { names: string[]; file: string; reason: string }[] = [
  { names: ["json", "yaml"], file: "src/cli/", reason: "the CLI's output formats (-f)" },
  { names: ["json", "yaml"], file: "src/export.ts", reason: "export formats" },
  { names: ["json", "yaml"], file: "src/config.ts", reason: "export formats (toYaml, toJson)" },
  {
    names: ["json", "yaml"],
    file: "resolvers/aws/s3.ts",
    reason: "the s3 resolver's parse= modes",
  },
  {
    names: ["json", "yaml"],
    file: "resolvers/aws/_content.ts",
    reason: "the parse= modes of the AWS resolvers' content",
  },
  {
    names: ["json", "yaml"],
    file: "resolvers/aws/appconfig.ts",
    reason: "the appconfig resolver's parse= modes",
  },
  {
    names: ["json"],
    file: "resolvers/aws/secretsmanager.ts",
    reason: "Secrets Manager speaks AWS's JSON 1.1 protocol; a parse= mode",
  },
  {
    names: ["json"],
    file: "resolvers/aws/_protocol.ts",
    reason: "the name of AWS's JSON 1.1 wire protocol",
  },
  { names: ["json"], file: "resolvers/aws/ssm.ts", reason: "SSM speaks AWS's JSON 1.1 protocol" },
  { names: ["http", "https"], file: "src/runtime_http.ts", reason: "URL schemes (proxies)" },
  {
    names: ["http"],
    file: "src/config.ts",
    reason: "the settings group of LoadOptions.allowHttp/httpAllowlist (upstream's options)",
  },
  { names: ["base64"], file: "resolvers/file.ts", reason: "a file encoding (encoding=base64)" },
  {
    names: ["file"],
    file: "resolvers/http.ts",
    reason: "the http resolver reads its key files through the file resolver",
  },
];

/** A family's settings data, which names its resolvers (the catalogue reads it). */
const FAMILY_DATA: Record<string, string> = {
  ssm: "resolvers/aws/_settings.ts",
  s3: "resolvers/aws/_settings.ts",
  cfn: "resolvers/aws/_settings.ts",
  secretsmanager: "resolvers/aws/_settings.ts",
  appconfig: "resolvers/aws/_settings.ts",
  http: "resolvers/_http_settings.ts",
  https: "resolvers/_http_settings.ts",
};

/** The library's source files (what the packages ship), relative to the root. */
async function librarySources(): Promise<string[]> {
  const files = ["mod.ts", "core.ts"];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  await walk("src/");
  await walk("resolvers/");
  return files.sort();
}

Deno.test("each built-in's name is a string literal only in its module, the catalogue and its family's data", async () => {
  const names = new Set(CATALOGUE.map((e) => e.name));
  const unexpected: string[] = [];
  const used = new Set<(typeof NAME_EXCEPTIONS)[number]>();
  let inCatalogue = 0;
  for (const file of await librarySources()) {
    const src = await Deno.readTextFile(new URL(file, ROOT));
    for (const { value, line } of stringLiterals(src)) {
      if (!names.has(value)) continue;
      if (file === "resolvers/catalogue.ts") {
        inCatalogue++;
        continue;
      }
      const own = CATALOGUE.some((e) => e.name === value && `resolvers/${e.module}` === file);
      if (own || FAMILY_DATA[value] === file) continue;
      const exception = NAME_EXCEPTIONS.find((x) =>
        x.names.includes(value) &&
        (x.file.endsWith("/") ? file.startsWith(x.file) : file === x.file)
      );
      if (exception !== undefined) used.add(exception);
      else unexpected.push(`${file}:${line} "${value}"`);
    }
  }
  // The lexer sees the catalogue's names (it reads code, not only comments).
  assert.ok(inCatalogue >= names.size, `${inCatalogue} names in the catalogue`);
  assert.deepEqual(
    unexpected,
    [],
    "read the name from its module or the catalogue, or add a justified NAME_EXCEPTIONS entry",
  );
  assert.deepEqual(
    NAME_EXCEPTIONS.filter((x) => !used.has(x)).map((x) => x.file),
    [],
    "exceptions no longer needed",
  );
});

/** `text` with line breaks, JSDoc margins and Markdown list indents as single spaces. */
function flat(text: string): string {
  return text.replace(/\n[ \t]*(\* ?)?/g, " ").replace(/\s+/g, " ");
}

Deno.test("the docs of offline mode and of the AWS transport name every built-in they concern", async () => {
  const networked: string[] = [];
  const aws: string[] = [];
  for (const entry of CATALOGUE) {
    const resolver = await loadEntry(entry);
    if (typeof resolver !== "function" && resolver.network === true) networked.push(entry.name);
    if (entry.module.startsWith("aws/")) aws.push(entry.name);
  }
  const listed = (names: string[]) => names.map((n) => `\`${n}\``).join(", ");
  const read = async (path: string) => flat(await Deno.readTextFile(new URL(path, ROOT)));
  // Offline mode refuses what declares `network`: each place that lists them (a list opening
  // with `http`, `https`) names them all.
  for (const path of ["README.md", "docs/cli.md", "src/config.ts", "src/resolver.ts"]) {
    const lists = [...(await read(path)).matchAll(/\(`http`, `https`((?:, `[a-z0-9]+`)*)/g)];
    assert.ok(lists.length > 0, path);
    for (const list of lists) {
      const names = ["http", "https", ...list[1]!.split(", ").slice(1).map((n) => n.slice(1, -1))];
      assert.deepEqual(names.sort(), [...networked].sort(), `${path}: ${list[0]}`);
    }
  }
  // The light transport serves every AWS resolver; the SDK transport uses each one's client.
  const readme = await read("README.md");
  assert.ok(readme.includes(`By default the five AWS resolvers (${listed(aws)})`), "README");
  assert.equal(aws.length, 5);
  const imports = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).imports;
  const clients = Object.keys(imports).filter((k) => k.startsWith("@aws-sdk/client-"));
  assert.equal(clients.length, aws.length, "one SDK client package per AWS resolver");
  const packages = clients.map((c, i) => `\`${i === 0 ? c : c.slice("@aws-sdk/client".length)}\``);
  assert.ok(readme.includes(`(\`transport: "sdk"\`: ${packages.join(", ")})`), packages.join());
});
