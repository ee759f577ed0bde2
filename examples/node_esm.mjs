// Node 20+ (ESM) with the npm package:  npm i holoconf  &&  node node_esm.mjs
//
// An embedded config with env variables, references and a custom async resolver standing in for
// a secrets manager: lazy gets, then resolveAll() and a redacted dump.

import { Config, ResolvedValue } from "holoconf";

const YAML = `
app:
  name: shop
  env: \${env:APP_ENV,default=dev}
  port: \${env:PORT,default=8080}
database:
  host: db.\${app.env}.internal
  user: \${secrets:db/user}
  password: \${secrets:db/password}
  url: postgres://\${.user}:\${.password}@\${.host}/\${app.name}
`;

// A secrets manager: async, and its passwords are marked sensitive.
const SECRETS = { "db/user": "shop_app", "db/password": "s3cr3t-from-vault" };
async function secrets(key) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (!(key in SECRETS)) throw new Error(`no secret at ${key}`);
  return new ResolvedValue(SECRETS[key], { sensitive: key.endsWith("password") });
}

const config = Config.loads(YAML, { resolvers: { secrets } });

// Lazy: each get resolves only what that path needs.
console.log(`app.env = ${await config.get("app.env")}`);
console.log(`database.host = ${await config.get("database.host")}`);

// Everything, in parallel; afterwards getSync works everywhere.
await config.resolveAll({ timeout: 5_000 });
console.log(`app.port = ${config.getSync("app.port")}`);

// Sensitive values (and the URL built from one) are redacted.
console.log(await config.toYaml({ redact: true }));
