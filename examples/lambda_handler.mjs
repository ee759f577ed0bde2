// An AWS Lambda handler (Node 20+, ESM) that keeps one Config across warm invocations.
//
// The config is resolved once per execution environment: `resolveAll()` starts at module load
// (Lambda's init phase, outside the billed handler time on a cold start), and every invocation
// awaits the same promise; after that, values are memoized and `getSync` is free. If the cold
// start fails (SSM throttled, say), the next invocation tries again instead of failing forever.
// The API key has a TTL (`ttl=300`, seconds): each invocation starts with `config.refresh()`,
// which fetches it again once it expired (a no-op otherwise; a failure keeps the last value).
//
// Deploy with `holoconf` in package.json dependencies; the function's role needs
// `ssm:GetParameters` (and `kms:Decrypt` for SecureStrings). Credentials and region come from
// the Lambda environment.

import { Config } from "holoconf";

const YAML = `
app:
  name: orders
  stage: \${env:STAGE,default=dev}
api:
  key: \${ssm:/orders/\${app.stage}/api-key,ttl=300}
  endpoint: https://api.\${app.stage}.example.com
limits:
  max_items: \${env:MAX_ITEMS,default=100}
`;

/** @type {Promise<Config> | undefined} */
let ready;

function loadConfig() {
  const config = Config.loads(YAML);
  const promise = config.resolveAll({ timeout: 5_000 }).then(() => config);
  promise.catch(() => {
    if (ready === promise) ready = undefined; // retry on the next invocation
  });
  ready = promise;
  return promise;
}

loadConfig();

/**
 * @param {{ items?: unknown[] }} event
 */
export async function handler(event) {
  const config = await (ready ?? loadConfig());
  await config.refresh(); // the key rotates: fetched again once its TTL passed
  const items = event.items ?? [];
  const max = Number(config.getSync("limits.max_items"));
  if (items.length > max) {
    return { statusCode: 400, body: JSON.stringify({ error: `at most ${max} items` }) };
  }
  const apiKey = config.getSync("api.key"); // a SecureString: use it, never log it
  return {
    statusCode: 200,
    body: JSON.stringify({
      service: config.getSync("app.name"),
      stage: config.getSync("app.stage"),
      endpoint: config.getSync("api.endpoint"),
      accepted: items.length,
      authenticated: typeof apiKey === "string" && apiKey.length > 0,
    }),
  };
}
