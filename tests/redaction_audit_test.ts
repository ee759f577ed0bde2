// Redaction audit (SPEC §1, §4, §10, §11): a config holding sensitive values from every
// source must never show their text in a redacted export, an error message, or a printed
// Config. Everything goes through the public API in mod.ts.

import assert from "node:assert/strict";
import {
  Config,
  HoloconfError,
  NotFoundError,
  ResolvedValue,
  Schema,
  TypeCoercionError,
  ValidationError,
} from "../mod.ts";

const SECRETS = {
  env: "s3cr3t-env-alpha",
  registered: "s3cr3t-registered-bravo",
  resolvedValue: "s3cr3t-resolvedvalue-charlie",
  json: "s3cr3t-json-delta",
  base64: "s3cr3t-base64-echo",
  split1: "s3cr3t-split-foxtrot",
  split2: "s3cr3t-split-golf",
  notJson: "s3cr3t-notjson-hotel",
  thrown: "s3cr3t-thrown-india",
  pattern: "s3cr3t-pattern-juliet",
  pin: "987654321",
};

const ENV = {
  HC_AUDIT_S: SECRETS.env,
  HC_AUDIT_SECRET_JSON: JSON.stringify({ token: SECRETS.json, pin: Number(SECRETS.pin) }),
  HC_AUDIT_SECRET_B64: btoa(SECRETS.base64),
  HC_AUDIT_SECRET_LIST: `${SECRETS.split1},${SECRETS.split2}`,
  HC_AUDIT_NOT_JSON: `{${SECRETS.notJson}`,
  HC_AUDIT_THROWN: SECRETS.thrown,
  HC_AUDIT_PATTERN: SECRETS.pattern,
};

/** Every text that must never be shown (the base64 text of a secret included). */
const FORBIDDEN = [...Object.values(SECRETS), ENV.HC_AUDIT_SECRET_B64];

function assertNoSecret(text: string, where: string): void {
  for (const secret of FORBIDDEN) {
    assert.ok(!text.includes(secret), `${where} leaks ${JSON.stringify(secret)}:\n${text}`);
  }
}

function withEnv(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const saved = new Map<string, string | undefined>();
    for (const [k, v] of Object.entries(ENV)) {
      saved.set(k, Deno.env.get(k));
      Deno.env.set(k, v);
    }
    try {
      await fn();
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) Deno.env.delete(k);
        else Deno.env.set(k, v);
      }
    }
  };
}

const CONFIG_YAML = `
public: visible-value
secrets:
  env: \${env:HC_AUDIT_S,sensitive=true}
  registered: \${vault:db}
  resolved_value: \${marked:db}
  reference: \${secrets.env}
  concat: "user:\${secrets.env}@host"
  json: \${json:\${env:HC_AUDIT_SECRET_JSON,sensitive=true}}
  base64: \${base64:\${env:HC_AUDIT_SECRET_B64,sensitive=true}}
  split: \${split:\${env:HC_AUDIT_SECRET_LIST,sensitive=true}}
`;

function auditConfig(extra = ""): Config {
  const config = Config.loads(CONFIG_YAML + extra, {
    resolvers: {
      marked: () => new ResolvedValue(SECRETS.resolvedValue, { sensitive: true }),
    },
  });
  config.registerResolver("vault", () => SECRETS.registered, { sensitive: true });
  return config;
}

/** Runs `fn`, expects it to throw a HoloconfError, checks the error text, returns it. */
async function expectSafeError(
  fn: () => Promise<unknown>,
  where: string,
): Promise<HoloconfError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof HoloconfError, `${where}: expected a HoloconfError, got ${caught}`);
  assertNoSecret(caught.message, `${where} (message)`);
  assertNoSecret(String(caught), `${where} (String)`);
  assertNoSecret(String(caught.stack), `${where} (stack)`);
  return caught;
}

Deno.test(
  "redaction audit: the audit config really holds the secrets (sanity check)",
  withEnv(async () => {
    const config = auditConfig();
    assert.equal(await config.get("secrets.env"), SECRETS.env);
    assert.equal(await config.get("secrets.registered"), SECRETS.registered);
    assert.equal(await config.get("secrets.resolved_value"), SECRETS.resolvedValue);
    assert.equal(await config.get("secrets.reference"), SECRETS.env);
    assert.equal(await config.get("secrets.concat"), `user:${SECRETS.env}@host`);
    assert.deepEqual(await config.get("secrets.json"), {
      token: SECRETS.json,
      pin: Number(SECRETS.pin),
    });
    assert.deepEqual(await config.get("secrets.base64"), SECRETS.base64);
    assert.deepEqual(await config.get("secrets.split"), [SECRETS.split1, SECRETS.split2]);
  }),
);

Deno.test(
  "redaction audit: redacted exports show no secret and redact every sensitive source",
  withEnv(async () => {
    const config = auditConfig();
    const obj = await config.toObject({ redact: true });
    assertNoSecret(JSON.stringify(obj), "toObject({ redact: true })");
    assert.deepEqual(obj, {
      public: "visible-value",
      secrets: {
        env: "[REDACTED]",
        registered: "[REDACTED]",
        resolved_value: "[REDACTED]",
        reference: "[REDACTED]",
        concat: "[REDACTED]",
        json: "[REDACTED]",
        base64: "[REDACTED]",
        split: "[REDACTED]",
      },
    });
    assertNoSecret(await config.toYaml({ redact: true }), "toYaml({ redact: true })");
    assertNoSecret(await config.toJson({ redact: true }), "toJson({ redact: true })");
    // Also with resolve spelled out, and after everything is memoized.
    await config.resolveAll();
    assertNoSecret(
      JSON.stringify(await config.toObject({ resolve: true, redact: true })),
      "toObject({ resolve: true, redact: true }) after resolveAll",
    );
    assertNoSecret(await config.toYaml({ redact: true }), "toYaml after resolveAll");
    assertNoSecret(await config.toJson({ redact: true }), "toJson after resolveAll");
  }),
);

Deno.test(
  "redaction audit: a printed Config never shows a secret",
  withEnv(async () => {
    const config = auditConfig();
    const views = () =>
      [
        ["Deno.inspect", Deno.inspect(config)],
        ["Deno.inspect deep", Deno.inspect({ config }, { depth: 10, showHidden: true })],
        ["JSON.stringify", JSON.stringify(config)],
        ["String", String(config)],
        ["template", `${config}`],
      ] as const;
    for (const [where, text] of views()) assertNoSecret(text, `${where} before resolving`);
    await config.resolveAll();
    for (const [where, text] of views()) assertNoSecret(text, `${where} after resolveAll`);
    await config.toObject({ redact: true });
    for (const [where, text] of views()) assertNoSecret(text, `${where} after export`);
  }),
);

Deno.test(
  "redaction audit: a coercion failure of a secret through an attached schema is redacted",
  withEnv(async () => {
    const config = auditConfig();
    config.setSchema(Schema.fromYaml(`
properties:
  secrets:
    properties:
      env: { type: integer }
      registered: { type: number }
      resolved_value: { type: boolean }
      concat: { type: integer }
`));
    for (const path of ["env", "registered", "resolved_value", "concat"]) {
      const e = await expectSafeError(() => config.get(`secrets.${path}`), `get(secrets.${path})`);
      assert.ok(e instanceof TypeCoercionError);
      assert.match(e.message, /\[REDACTED\]/);
    }
    const issues = await config.validateCollect();
    assert.ok(issues.length >= 1);
    assertNoSecret(JSON.stringify(issues), "validateCollect issues (coercion)");
    await expectSafeError(() => config.validate(), "validate() (coercion)");
    await expectSafeError(() => config.resolveAll(), "resolveAll() (coercion)");
    await expectSafeError(() => config.toObject({ redact: true }), "toObject() (coercion)");
  }),
);

Deno.test(
  "redaction audit: validation failures of secrets never echo the value",
  withEnv(async () => {
    const config = auditConfig(`
checks:
  pattern: \${env:HC_AUDIT_PATTERN,sensitive=true}
`);
    const schema = Schema.fromYaml(`
properties:
  secrets:
    properties:
      env: { type: string, pattern: "^[0-9]+$" }
      registered: { enum: [a, b] }
      resolved_value: { const: fixed }
      reference: { type: string, maxLength: 3 }
      concat: { type: string, format: email, minLength: 100 }
      json:
        properties:
          token: { type: string, pattern: "^x" }
          pin: { type: integer, maximum: 10, multipleOf: 7 }
      split: { items: { enum: [one] }, maxItems: 1 }
      base64: { type: string }
  checks:
    properties:
      pattern: { not: { pattern: "juliet" } }
`);
    const issues = await config.validateCollect(schema);
    assert.ok(issues.length >= 8, JSON.stringify(issues.map((i) => i.path)));
    assertNoSecret(JSON.stringify(issues), "validateCollect issues");
    const e = await expectSafeError(() => config.validate(schema), "validate()");
    assert.ok(e instanceof ValidationError);
    assert.match(e.message, /\/secrets\/env: must match pattern "\^\[0-9\]\+\$"/);
    assert.match(e.message, /\/secrets\/registered: must be equal to one of the allowed values/);
  }),
);

Deno.test(
  "redaction audit: typed getters of secrets redact the value",
  withEnv(async () => {
    const config = auditConfig();
    for (const path of ["env", "registered", "resolved_value", "reference", "concat"]) {
      const e = await expectSafeError(() => config.getInt(`secrets.${path}`), `getInt ${path}`);
      assert.ok(e instanceof TypeCoercionError);
      await expectSafeError(() => config.getFloat(`secrets.${path}`), `getFloat ${path}`);
      await expectSafeError(() => config.getBool(`secrets.${path}`), `getBool ${path}`);
    }
    await expectSafeError(() => config.getString("secrets.json"), "getString json");
    await expectSafeError(() => config.getInt("secrets.split"), "getInt split");
  }),
);

function throwingConfig(): Config {
  return Config.loads(
    "a: ${boom:${env:HC_AUDIT_THROWN,sensitive=true}}\n" +
      "b: ${missing:${env:HC_AUDIT_THROWN,sensitive=true}}\n",
    {
      resolvers: {
        boom: (key: string) => {
          throw new Error(`cannot open vault entry ${key}`);
        },
        missing: () => {
          throw new NotFoundError();
        },
      },
    },
  );
}

Deno.test(
  "redaction audit: a resolver error echoing its sensitive key is redacted",
  withEnv(async () => {
    const config = throwingConfig();
    const a = await expectSafeError(() => config.get("a"), "get(a) with a throwing resolver");
    assert.match(a.message, /^Resolver 'boom' error: Error \(message hidden: /);
    const b = await expectSafeError(() => config.get("b"), "get(b), NotFoundError");
    assert.match(b.message, /^Resource not found: \[REDACTED\]/);
    await expectSafeError(() => config.resolveAll(), "resolveAll() with a throwing resolver");
    await expectSafeError(() => config.toObject({ redact: true }), "export, throwing resolver");
  }),
);

Deno.test({
  name: "redaction audit: a printed resolver error (Deno.inspect, with its cause) shows no secret",
  // Guards the fix in src/engine.ts wrapResolverError()/redactError(): the resolver's
  // original error (kept as `cause`) and a NotFoundError's `resource` must not hold the
  // sensitive key, since Deno.inspect / console.error(err) and JSON loggers print them.
  fn: withEnv(async () => {
    const config = throwingConfig();
    for (const path of ["a", "b"]) {
      const e = await expectSafeError(() => config.get(path), `get(${path})`);
      assertNoSecret(Deno.inspect(e, { depth: 10 }), `Deno.inspect of the error at ${path}`);
      assertNoSecret(JSON.stringify(e), `JSON.stringify of the error at ${path}`);
    }
    const all = await expectSafeError(() => config.resolveAll(), "resolveAll()");
    assertNoSecret(Deno.inspect(all, { depth: 10 }), "Deno.inspect of the ResolveAllError");
  }),
});

Deno.test(
  "redaction audit: a json parse error of a sensitive non-JSON string is redacted",
  withEnv(async () => {
    const config = Config.loads(
      "bad: ${json:${env:HC_AUDIT_NOT_JSON,sensitive=true}}\n" +
        "bad_yaml: ${yaml:${env:HC_AUDIT_NOT_JSON,sensitive=true}}\n",
    );
    await expectSafeError(() => config.get("bad"), "json parse error");
    await expectSafeError(() => config.resolveAll(), "resolveAll with a json parse error");
  }),
);
