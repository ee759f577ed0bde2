// `deno run -A scripts/measure_aws_transport.ts [rounds]`: the fresh-process figures behind the
// choices of docs/aws-transport.md (which signing package, which HTTP client, which XML parser
// per runtime, and what the light transport costs against the AWS SDK).
//
// Each probe is a tiny ES module run in a fresh `node` (Node 20) and a fresh `deno run` process;
// the rounds are interleaved (every probe on both runtimes once per round, so machine load hits
// all alike) and each figure is the median wall time of the rounds, next to an empty module
// measured in the same rounds. The candidates are installed with npm into
// .tmp/aws_transport_measure/ (Deno reads the same node_modules), and the light transport is
// bundled there with `deno bundle` (dependencies external). HTTP probes talk to a loopback server
// of this script that answers like SSM. Nothing here runs in `deno task test`.

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const DIR = `${ROOT}/.tmp/aws_transport_measure`;
const ROUNDS = Number(Deno.args[0] ?? 11);

/** Pinned candidates (the versions measured in docs/aws-transport.md). */
const PACKAGES: Record<string, string> = {
  "aws4": "1.13.2",
  "aws4fetch": "1.0.20",
  "@smithy/signature-v4": "5.7.5",
  "@aws-lite/client": "0.24.1",
  "fast-xml-parser": "5.12.1",
  "@rgrove/parse-xml": "5.0.0",
  "@aws-sdk/client-ssm": "3.1169.0",
};

const SSM_BODY = 'JSON.stringify({ Names: ["/app/db/password"], WithDecryption: true })';
const CREDS =
  `accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"`;
const XML = '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">' +
  "<DescribeStacksResult><Stacks><member><StackName>s</StackName><Outputs><member>" +
  "<OutputKey>A</OutputKey><OutputValue>1</OutputValue></member></Outputs></member></Stacks>" +
  "</DescribeStacksResult></DescribeStacksResponse>";

/** name -> module source. `process.env.PROBE_URL` is the loopback SSM-like server. */
const PROBES: Record<string, string> = {
  empty: "",
  sign_aws4: `const { default: aws4 } = await import("aws4");
const r = aws4.sign({ host: "ssm.us-east-1.amazonaws.com", path: "/", method: "POST", service: "ssm",
  region: "us-east-1", headers: { "Content-Type": "application/x-amz-json-1.1" }, body: ${SSM_BODY} },
  { ${CREDS} });
if (!r.headers.Authorization) throw new Error("unsigned");`,
  sign_aws4fetch: `const { AwsV4Signer } = await import("aws4fetch");
const r = await new AwsV4Signer({ url: "https://ssm.us-east-1.amazonaws.com/", method: "POST",
  service: "ssm", region: "us-east-1", headers: { "Content-Type": "application/x-amz-json-1.1" },
  body: ${SSM_BODY}, ${CREDS} }).sign();
if (!r.headers.get("authorization")) throw new Error("unsigned");`,
  sign_smithy: `const [{ SignatureV4 }, { createHash, createHmac }] = await Promise.all([
  import("@smithy/signature-v4"), import("node:crypto")]);
class Sha256 { constructor(s) { this.h = s ? createHmac("sha256", s) : createHash("sha256"); }
  update(d) { this.h.update(d); } digest() { return Promise.resolve(new Uint8Array(this.h.digest())); } }
const r = await new SignatureV4({ service: "ssm", region: "us-east-1", sha256: Sha256, credentials: { ${CREDS} } })
  .sign({ method: "POST", protocol: "https:", hostname: "ssm.us-east-1.amazonaws.com", path: "/", query: {},
    headers: { host: "ssm.us-east-1.amazonaws.com", "content-type": "application/x-amz-json-1.1" }, body: ${SSM_BODY} });
if (!r.headers.authorization) throw new Error("unsigned");`,
  http_node: `const http = await import("node:http");
const body = await new Promise((resolve, reject) => {
  const req = http.request(process.env.PROBE_URL, { method: "POST", agent: new http.Agent({ keepAlive: true }) }, (res) => {
    const chunks = []; res.on("data", (c) => chunks.push(c)); res.on("end", () => resolve(chunks.length)); });
  req.on("error", reject); req.end("{}"); });
if (!body) throw new Error("empty");
process.exit(0);`,
  http_fetch: `const r = await fetch(process.env.PROBE_URL, { method: "POST", body: "{}" });
if ((await r.arrayBuffer()).byteLength === 0) throw new Error("empty");`,
  xml_fast_xml_parser: `const { XMLParser } = await import("fast-xml-parser");
if (!new XMLParser().parse(${JSON.stringify(XML)}).DescribeStacksResponse) throw new Error("bad");`,
  xml_rgrove: `const { parseXml } = await import("@rgrove/parse-xml");
if (!parseXml(${JSON.stringify(XML)}).root) throw new Error("bad");`,
  aws_lite_request: `const { default: awsLite } = await import("@aws-lite/client");
const u = new URL(process.env.PROBE_URL);
const aws = await awsLite({ region: "us-east-1", ${CREDS}, protocol: "http", host: u.hostname,
  port: Number(u.port), keepAlive: false, retries: 0 });
const r = await aws({ service: "ssm", method: "POST", path: "/", headers: {
  "X-Amz-Target": "AmazonSSM.GetParameters", "content-type": "application/x-amz-json-1.1" },
  payload: { Names: ["/a"] } });
if (r.statusCode !== 200) throw new Error("status " + r.statusCode);`,
  light_import: `await import("./transport.mjs");`,
  light_request: `const { awsRequest } = await import("./transport.mjs");
const r = await awsRequest({ service: "ssm", operation: { protocol: "json",
  target: "AmazonSSM.GetParameters", input: { Names: ["/a"] } }, region: "us-east-1",
  endpoint: process.env.PROBE_URL, signal: new AbortController().signal });
if (r.status !== 200) throw new Error("status " + r.status);
process.exit(0);`,
  sdk_request: `const { SSMClient, GetParametersCommand } = await import("@aws-sdk/client-ssm");
const client = new SSMClient({ region: "us-east-1", endpoint: process.env.PROBE_URL,
  credentials: { ${CREDS} } });
await client.send(new GetParametersCommand({ Names: ["/a"] }));
client.destroy();`,
};

async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "inherit" })
    .output();
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code})`);
}

async function setUp(): Promise<void> {
  await Deno.mkdir(`${DIR}/probes`, { recursive: true });
  const pkg = {
    name: "aws-transport-measure",
    private: true,
    type: "module",
    dependencies: PACKAGES,
  };
  const pkgPath = `${DIR}/package.json`;
  const text = JSON.stringify(pkg, null, 2);
  const old = await Deno.readTextFile(pkgPath).catch(() => "");
  if (old !== text) {
    await Deno.writeTextFile(pkgPath, text);
    console.error("installing the candidates with npm ...");
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], DIR);
  }
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "esm",
    ...["@aws-sdk/*", "@smithy/*", "aws4", "aws4fetch", "@rgrove/parse-xml"].flatMap((
      e,
    ) => ["--external", e]),
    "-o",
    `${DIR}/probes/transport.mjs`,
    `${ROOT}/resolvers/aws/_transport.ts`,
  ], ROOT);
  // Deno reads the same node_modules (through the package.json beside this file).
  await Deno.writeTextFile(`${DIR}/deno.json`, JSON.stringify({ nodeModulesDir: "manual" }));
  for (const [name, source] of Object.entries(PROBES)) {
    await Deno.writeTextFile(`${DIR}/probes/${name}.mjs`, source + "\n");
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

await setUp();
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  await req.arrayBuffer();
  return Response.json({ Parameters: [], InvalidParameters: ["/a"] }, {
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "r" },
  });
});
const env = {
  PROBE_URL: `http://127.0.0.1:${server.addr.port}/`,
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  AWS_REGION: "us-east-1",
};
const runtimes: Record<string, (file: string) => [string, string[]]> = {
  node: (file) => ["node", [file]],
  deno: (
    file,
  ) => [Deno.execPath(), ["run", "-A", "--no-lock", "--config", `${DIR}/deno.json`, file]],
};
const times = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const runtime of Object.keys(runtimes)) {
    for (const probe of Object.keys(PROBES)) {
      const [cmd, args] = runtimes[runtime]!(`${DIR}/probes/${probe}.mjs`);
      const t0 = performance.now();
      const out = await new Deno.Command(cmd, {
        args,
        cwd: `${DIR}/probes`,
        env,
        stdout: "null",
        stderr: "piped",
      }).output();
      const ms = performance.now() - t0;
      if (out.code !== 0) {
        throw new Error(`${runtime} ${probe}: ${new TextDecoder().decode(out.stderr)}`);
      }
      const key = `${runtime}|${probe}`;
      times.set(key, [...(times.get(key) ?? []), ms]);
    }
  }
}
await server.shutdown();

console.log(`Medians of ${ROUNDS} interleaved fresh processes (ms; in brackets: over empty)\n`);
console.log("| probe | Node | Deno |");
console.log("|---|---|---|");
for (const probe of Object.keys(PROBES)) {
  const cells = Object.keys(runtimes).map((runtime) => {
    const m = median(times.get(`${runtime}|${probe}`)!);
    const empty = median(times.get(`${runtime}|empty`)!);
    return probe === "empty" ? m.toFixed(1) : `${m.toFixed(1)} (+${(m - empty).toFixed(1)})`;
  });
  console.log(`| ${probe} | ${cells.join(" | ")} |`);
}
