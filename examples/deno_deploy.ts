/**
 * An edge function (Deno Deploy, or `deno serve` locally) serving its own resolved config,
 * secrets redacted:
 *
 * ```sh
 * FLAGS_URL=flags.example.com/v1/flags.json AWS_REGION=eu-west-1 \
 *   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
 *   deno serve --allow-env --allow-net examples/deno_deploy.ts
 * ```
 *
 * Deno Deploy gives no file-system access, and none is needed: the config is a string
 * (`Config.loads`), values come from the environment, an HTTPS endpoint and SSM, and importing
 * holoconf touches no file (the YAML-heavy parts load on first use). SSM is read with holoconf's
 * light AWS transport: requests signed with WebCrypto (`aws4fetch`) and sent with `fetch`,
 * credentials and region from the environment; the AWS SDK is never loaded. One Config
 * lives as long as the isolate; `resolveAll()` runs once, on the first request, and later requests
 * reuse the memoized values (a failed resolution is retried by the next request).
 *
 * Optional settings for private endpoints and tests: `SSM_ENDPOINT` (e.g. a VPC endpoint or a
 * local fake) and `FLAGS_CA_PEM` (PEM text of a CA that signed the flags server's certificate).
 *
 * @module
 */

// In your project: import { Config } from "jsr:@holoconf/holoconf";
import { Config } from "../mod.ts";
// In your project: import { configureSsm } from "jsr:@holoconf/holoconf/aws";
import { configureSsm } from "../resolvers/aws/mod.ts";

const YAML = `
app:
  name: edge-demo
  region: \${env:DENO_REGION,default=local}
flags: \${json:\${https:\${env:FLAGS_URL}}}
database:
  host: db.\${app.region}.internal
  password: \${ssm:/edge-demo/db-password}
  url: postgres://app:\${.password}@\${.host}/\${app.name}
`;

function env(name: string): string | undefined {
  return Deno.env.get(name) || undefined;
}

let resolved: Promise<Config> | undefined;

function loadConfig(): Promise<Config> {
  const ssmEndpoint = env("SSM_ENDPOINT");
  if (ssmEndpoint !== undefined) configureSsm({ endpoint: ssmEndpoint });
  const caPem = env("FLAGS_CA_PEM");
  const config = Config.loads(YAML, {
    allowHttp: true,
    httpAllowlist: [`https://${(env("FLAGS_URL") ?? "").split("/")[0]}/*`],
    ...(caPem === undefined ? {} : { httpCaBundle: caPem }),
  });
  const promise = config.resolveAll({ timeout: 5_000 }).then(() => config);
  promise.catch(() => {
    if (resolved === promise) resolved = undefined; // the next request tries again
  });
  resolved = promise;
  return promise;
}

/**
 * Serves `GET /config` (the redacted, resolved config as JSON) and a 404 elsewhere.
 *
 * @param req The request.
 * @returns The response.
 */
export async function handler(req: Request): Promise<Response> {
  if (new URL(req.url).pathname !== "/config") return new Response("not found\n", { status: 404 });
  let config: Config;
  try {
    config = await (resolved ?? loadConfig());
  } catch (error) {
    // holoconf's messages never contain a sensitive value.
    const message = error instanceof Error ? error.message : String(error);
    return Response.json({ error: message }, { status: 503 });
  }
  return Response.json(await config.toObject({ redact: true }));
}

export default { fetch: handler } satisfies Deno.ServeDefaultExport;
