import assert from "node:assert/strict";
import {
  createHttpResolver,
  httpResolver,
  httpsResolver,
  isUrlAllowed,
  urlMatchesPattern,
} from "../../resolvers/http.ts";
import { Config, configureResolver, resetResolverSettings } from "../../mod.ts";
import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import type { ResolverCall, ResolverContext, ResolverObject } from "../../src/resolver.ts";
import { makeResolverCall } from "../_call.ts";
import { installFakeClock } from "../_fake_clock.ts";

const TLS_DIR = new URL("../fixtures/tls/", import.meta.url).pathname;
const CA_PEM = Deno.readTextFileSync(`${TLS_DIR}ca.pem`);
const SERVER_CERT = Deno.readTextFileSync(`${TLS_DIR}server.pem`);
const SERVER_KEY = Deno.readTextFileSync(`${TLS_DIR}server.key`);
/** The fixtures' directory as the base directory and only file root of a call. */
const TLS_ROOTS = { baseDir: TLS_DIR.replace(/\/$/, ""), fileRoots: [TLS_DIR] };

interface CallSpec {
  kwargs?: [string, string][];
  context?: Partial<ResolverContext>;
  /** The http settings (`call.settings`); `allow: true` unless given. */
  settings?: Record<string, unknown>;
  signal?: AbortSignal;
  resolver?: string;
  sensitiveInput?: boolean;
}

function makeCall(key: string, spec: CallSpec = {}): ResolverCall {
  return makeResolverCall({
    resolver: spec.resolver ?? "http",
    args: key === "" ? [] : [key],
    kwargs: spec.kwargs,
    signal: spec.signal,
    sensitiveInput: spec.sensitiveInput,
    path: "remote",
    context: spec.context,
    settings: { allow: true, ...spec.settings },
  });
}

function call(
  resolver: ResolverObject,
  key: string,
  spec: CallSpec = {},
): Promise<unknown> {
  return Promise.resolve().then(() => resolver.resolve(key, makeCall(key, spec)));
}

async function rejectsWith(
  promise: Promise<unknown>,
  cls: typeof ResolverError | typeof ParseError,
  code: string,
): Promise<ResolverError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`);
  assert.equal((caught as ResolverError).code, code);
  assert.ok(!(caught instanceof NotFoundError), "must not be a not-found error");
  return caught as ResolverError;
}

/** What the server saw of one request (a Request cannot be read after its response). */
interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
}

interface TestServer {
  base: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

function startServer(
  handler: (req: Request) => Response | Promise<Response>,
  tls = false,
): TestServer {
  const requests: SeenRequest[] = [];
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      ...(tls ? { cert: SERVER_CERT, key: SERVER_KEY } : {}),
    },
    (req) => {
      requests.push({ method: req.method, url: req.url, headers: new Headers(req.headers) });
      return handler(req);
    },
  );
  const port = server.addr.port;
  return {
    base: `127.0.0.1:${port}`,
    port,
    requests,
    close: () => server.shutdown(),
  };
}

/**
 * A TCP server that reads one request and never answers; `disconnected` resolves when the
 * client closes the connection (the request was aborted).
 */
function startSilentServer(): {
  base: string;
  received: Promise<void>;
  disconnected: Promise<void>;
  close(): Promise<void>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received = Promise.withResolvers<void>();
  const disconnected = Promise.withResolvers<void>();
  const task = (async () => {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } catch {
      return; // closed before any connection
    }
    const buf = new Uint8Array(4096);
    let first = true;
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      if (first) received.resolve();
      first = false;
    }
    conn.close();
    disconnected.resolve();
  })();
  return {
    base: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    received: received.promise,
    disconnected: disconnected.promise,
    close: async () => {
      listener.close();
      await task;
    },
  };
}

// --- argument checks -------------------------------------------------------------------------

Deno.test("http and https with no URL throw ParseError naming the resolver", async () => {
  const e1 = await rejectsWith(call(httpResolver, ""), ParseError, "PARSE_ERROR");
  assert.equal(e1.headline, "HTTP resolver requires a URL");
  const e2 = await rejectsWith(
    call(httpsResolver, "", { resolver: "https" }),
    ParseError,
    "PARSE_ERROR",
  );
  assert.equal(e2.headline, "HTTPS resolver requires a URL");
});

Deno.test("a URL that is only a scheme or slashes is a non-empty URL error", async () => {
  for (const key of ["https://", "http://", "//", "https:////", "  "]) {
    const e = await rejectsWith(call(httpResolver, key), ParseError, "PARSE_ERROR");
    assert.equal(e.headline, "HTTP resolver requires a non-empty URL", key);
  }
});

Deno.test("a URL without a host is invalid URL syntax, checked before the disabled check", async () => {
  const e = await rejectsWith(
    call(httpsResolver, "https:///etc/passwd", {
      resolver: "https",
      settings: { allow: false },
    }),
    ResolverError,
    "RESOLVER_ERROR",
  );
  assert.match(e.headline, /^Invalid URL syntax: /);
});

// --- disabled ---------------------------------------------------------------------------------

Deno.test("http is disabled by default and sends nothing", async () => {
  const server = startServer(() => new Response("x"));
  try {
    const e = await rejectsWith(
      call(httpResolver, `http://${server.base}/a`, { settings: { allow: false } }),
      ResolverError,
      "HTTP_DISABLED",
    );
    assert.equal(e.headline, "HTTP resolver is disabled");
    assert.equal(
      e.help,
      "HTTP resolver is disabled. The URL specified by this config path cannot be fetched. " +
        "Enable with { allowHttp: true } (allow_http in other holoconf bindings) or --allow-http",
    );
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("the disabled help names HTTPS for the https resolver", async () => {
  const e = await rejectsWith(
    call(httpsResolver, "config.internal/app.yaml", {
      resolver: "https",
      settings: { allow: false },
    }),
    ResolverError,
    "HTTP_DISABLED",
  );
  assert.equal(e.headline, "HTTP resolver is disabled");
  assert.match(e.help ?? "", /^HTTPS resolver is disabled\. /);
  assert.match(e.message, /allow_http/);
});

Deno.test("TLS options are not even read while http is disabled", async () => {
  // A missing key would be an error, but the disabled check comes first.
  const e = await rejectsWith(
    call(httpsResolver, "api.example.com/config", {
      resolver: "https",
      kwargs: [["client_cert", CA_PEM]],
      settings: { allow: false },
    }),
    ResolverError,
    "HTTP_DISABLED",
  );
  assert.match(e.message, /HTTPS resolver is disabled/);
});

// --- URL normalisation (seen through the allowlist error, no network) -------------------------

Deno.test("each resolver fetches with its own scheme whatever prefix the argument has", async () => {
  const cases: [ResolverObject, string, string][] = [
    [httpsResolver, "http://example.com/a", "https://example.com/a"],
    [httpResolver, "https://example.com/a", "http://example.com/a"],
    [httpsResolver, "//example.com/a", "https://example.com/a"],
    [httpsResolver, "example.com", "https://example.com/"],
    [httpResolver, "https:////example.com/a", "http://example.com/a"],
  ];
  for (const [resolver, key, expected] of cases) {
    const e = await rejectsWith(
      call(resolver, key, { settings: { allowlist: ["https://allowed.invalid/*"] } }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    assert.equal(e.headline, `URL not in allowlist: ${expected}`);
    assert.match(e.help ?? "", /https:\/\/allowed\.invalid\/\*/);
  }
});

Deno.test("createHttpResolver builds a resolver for the given scheme", async () => {
  const e = await rejectsWith(
    call(createHttpResolver("https"), "x.example/y", {
      settings: { allowlist: ["http://x.example/*"] },
    }),
    ResolverError,
    "HTTP_NOT_ALLOWED",
  );
  assert.equal(e.headline, "URL not in allowlist: https://x.example/y");
});

// --- allowlist matching (pure) ----------------------------------------------------------------

Deno.test("allowlist host wildcard cannot be bypassed through path, user-info or suffix", () => {
  const p = "https://*.example.com/*";
  assert.equal(urlMatchesPattern("https://api.example.com/config.yaml", p), true);
  assert.equal(urlMatchesPattern("https://a.b.example.com/x?y=1", p), true);
  assert.equal(urlMatchesPattern("https://evil.com/.example.com/x", p), false);
  assert.equal(urlMatchesPattern("https://example.com@evil.com/", p), false);
  assert.equal(urlMatchesPattern("https://x.example.com@evil.com/", p), false);
  assert.equal(urlMatchesPattern("https://example.com.evil.com/", p), false);
  assert.equal(urlMatchesPattern("https://a.example.com.evil.com/x", p), false);
  assert.equal(urlMatchesPattern("https://evil.com/?.example.com/", p), false);
  assert.equal(urlMatchesPattern("https://evil.com#.example.com/", p), false);
  assert.equal(urlMatchesPattern("http://api.example.com/x", p), false);
  assert.equal(urlMatchesPattern("https://example.com/x", p), false);
});

Deno.test("allowlist ports: default ports implied, others must match", () => {
  assert.equal(
    urlMatchesPattern("https://api.example.com/x", "https://api.example.com:443/*"),
    true,
  );
  assert.equal(
    urlMatchesPattern("https://api.example.com:443/x", "https://api.example.com/*"),
    true,
  );
  assert.equal(
    urlMatchesPattern("https://api.example.com:8443/x", "https://api.example.com/*"),
    false,
  );
  assert.equal(
    urlMatchesPattern("https://api.example.com:8443/x", "https://*.example.com/*"),
    false,
  );
  assert.equal(urlMatchesPattern("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/*"), true);
  assert.equal(urlMatchesPattern("http://127.0.0.1:8081/x", "http://127.0.0.1:8080/*"), false);
  assert.equal(urlMatchesPattern("http://127.0.0.1:9/x", "http://127.0.0.1:*/*"), true);
  assert.equal(urlMatchesPattern("http://[::1]:8080/x", "http://[::1]:8080/*"), true);
  assert.equal(urlMatchesPattern("http://[::1]:8080/x", "http://*:8080/*"), false);
});

Deno.test("allowlist user-info, paths and malformed patterns", () => {
  assert.equal(urlMatchesPattern("https://u@h.example/x", "https://h.example/*"), false);
  assert.equal(urlMatchesPattern("https://u@h.example/x", "https://u@h.example/*"), true);
  assert.equal(urlMatchesPattern("https://h.example/a/b/c", "https://h.example/a/*"), true);
  assert.equal(urlMatchesPattern("https://h.example/b", "https://h.example/a/*"), false);
  assert.equal(urlMatchesPattern("https://h.example/a/../b", "https://h.example/a/*"), false);
  assert.equal(urlMatchesPattern("https://h.example/a.yaml", "https://h.example/a.yaml"), true);
  assert.equal(urlMatchesPattern("https://h.example/aXyaml", "https://h.example/a.yaml"), false);
  assert.equal(urlMatchesPattern("https://h.example/", "https://h.example"), true);
  assert.equal(urlMatchesPattern("https://H.Example/", "https://h.EXAMPLE/"), true);
  assert.equal(urlMatchesPattern("https://h.example/", "not a pattern"), false);
  assert.equal(urlMatchesPattern("https://h.example/", "https:///x"), false);
  assert.equal(isUrlAllowed("https://h.example/", []), true);
  assert.equal(isUrlAllowed("https://h.example/", ["https://x/*", "https://h.example/*"]), true);
});

// --- fetching from a loopback server ----------------------------------------------------------

Deno.test("fetches a body as text and passes several headers", async () => {
  const server = startServer(() => new Response("key: value\n"));
  try {
    const value = await call(httpResolver, `${server.base}/config.yaml`, {
      kwargs: [
        ["header", "X-One: first"],
        ["header", "X-Two:second:with:colons"],
        ["parse", "text"],
      ],
    });
    assert.equal(value, "key: value\n");
    assert.equal(server.requests.length, 1);
    const req = server.requests[0]!;
    assert.equal(req.method, "GET");
    assert.equal(new URL(req.url).pathname, "/config.yaml");
    assert.equal(req.headers.get("x-one"), "first");
    assert.equal(req.headers.get("x-two"), "second:with:colons");
  } finally {
    await server.close();
  }
});

Deno.test("parse=binary returns the exact bytes", async () => {
  const bytes = new Uint8Array([0, 1, 2, 0xfe, 0xff, 0x80]);
  const server = startServer(() => new Response(bytes));
  try {
    const value = await call(httpResolver, `http://${server.base}/b`, {
      kwargs: [["parse", "binary"]],
    });
    assert.ok(value instanceof Uint8Array);
    assert.deepEqual([...value], [...bytes]);
  } finally {
    await server.close();
  }
});

Deno.test("parse other than text/binary and insecure other than true/false fail before any request", async () => {
  const server = startServer(() => new Response("body"));
  try {
    for (const kwargs of [[["parse", "bytes"]], [["insecure", "yes"]]] as [string, string][][]) {
      const err = await rejectsWith(
        call(httpResolver, `http://${server.base}/x`, { kwargs }),
        ParseError,
        "INVALID_KEYWORD_VALUE",
      );
      assert.match(err.headline, new RegExp(`^Invalid value for keyword '${kwargs[0]![0]}'`));
    }
    assert.equal(server.requests.length, 0);
    assert.equal(
      await call(httpResolver, `http://${server.base}/x`, { kwargs: [["parse", "TEXT"]] }),
      "body",
    );
  } finally {
    await server.close();
  }
});

Deno.test("non-2xx statuses are HTTP_ERROR with the status, never not-found", async () => {
  const server = startServer((req) => {
    const status = Number(new URL(req.url).pathname.slice(1));
    return new Response(status === 204 || status === 304 ? null : "nope", { status });
  });
  try {
    for (const status of [404, 403, 418, 500, 304]) {
      const url = `http://${server.base}/${status}`;
      const e = await rejectsWith(call(httpResolver, url), ResolverError, "HTTP_ERROR");
      assert.equal(e.headline, `HTTP request failed: ${url}`);
      assert.deepEqual(e.detail, [`HTTP ${status}`]);
      assert.equal(e.help, `Check that the URL '${url}' is accessible and returns valid content`);
    }
    assert.equal(await call(httpResolver, `http://${server.base}/201`), "nope");
    assert.equal(await call(httpResolver, `http://${server.base}/204`), "");
  } finally {
    await server.close();
  }
});

Deno.test("allowlist allows a matching loopback URL and blocks others before any request", async () => {
  const server = startServer(() => new Response("ok"));
  try {
    const allow = [`http://127.0.0.1:${server.port}/public/*`];
    assert.equal(
      await call(httpResolver, `${server.base}/public/a`, { settings: { allowlist: allow } }),
      "ok",
    );
    const e = await rejectsWith(
      call(httpResolver, `${server.base}/private/a`, { settings: { allowlist: allow } }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    assert.equal(e.headline, `URL not in allowlist: http://${server.base}/private/a`);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("redirects are followed, checked against the allowlist, and drop credentials across origins", async () => {
  let port = 0;
  const server = startServer((req) => {
    const url = new URL(req.url);
    if (url.pathname === "/same") {
      return new Response(null, { status: 302, headers: { location: "/landing" } });
    }
    if (url.pathname === "/cross") {
      return new Response(null, {
        status: 301,
        headers: { location: `http://localhost:${port}/landing` },
      });
    }
    if (url.pathname === "/outside") {
      return new Response(null, { status: 307, headers: { location: "http://outside.invalid/" } });
    }
    if (url.pathname === "/loop") {
      return new Response(null, { status: 302, headers: { location: "/loop" } });
    }
    return new Response(`landed ${req.headers.get("authorization") ?? "-"}`);
  });
  port = server.port;
  try {
    const headers: [string, string][] = [["header", "Authorization: Bearer t0ken"]];
    assert.equal(
      await call(httpResolver, `${server.base}/same`, { kwargs: headers }),
      "landed Bearer t0ken",
    );
    assert.equal(await call(httpResolver, `${server.base}/cross`, { kwargs: headers }), "landed -");

    const e = await rejectsWith(
      call(httpResolver, `${server.base}/outside`, {
        settings: { allowlist: [`http://127.0.0.1:${port}/*`] },
      }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    assert.equal(e.headline, "URL not in allowlist: http://outside.invalid/");
    assert.deepEqual(e.detail, [`Redirected from http://${server.base}/outside`]);

    const loop = await rejectsWith(
      call(httpResolver, `${server.base}/loop`),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.match(loop.detail[0] ?? "", /Too many redirects/);
  } finally {
    await server.close();
  }
});

Deno.test("timeout= aborts a request the server never answers", async () => {
  const server = startSilentServer();
  using clock = installFakeClock();
  try {
    const pending = call(httpResolver, `${server.base}/slow`, { kwargs: [["timeout", "0.05"]] });
    let settled = false;
    pending.then(() => settled = true, () => settled = true);
    await server.received; // the request is out, its timer armed
    await clock.advance(49);
    assert.equal(settled, false, "not before its 50 ms");
    await clock.advance(1);
    const e = await rejectsWith(pending, ResolverError, "HTTP_ERROR");
    assert.equal(e.headline, `HTTP request failed: http://${server.base}/slow`);
    assert.match(e.detail[0] ?? "", /^Request timeout/);
    await server.disconnected; // the client gave up the connection
  } finally {
    await server.close();
  }
});

Deno.test("aborting call.signal stops the request and rejects with the abort reason", async () => {
  const server = startSilentServer();
  try {
    const controller = new AbortController();
    const pending = call(httpResolver, `${server.base}/slow`, { signal: controller.signal });
    await server.received;
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    await server.disconnected;
  } finally {
    await server.close();
  }
});

Deno.test("bad timeout and header arguments are errors that do not echo header values", async () => {
  const e1 = await rejectsWith(
    call(httpResolver, "127.0.0.1:9/x", { kwargs: [["timeout", "soon"]] }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(e1.headline, /^Invalid timeout/);
  const e2 = await rejectsWith(
    call(httpResolver, "127.0.0.1:9/x", { kwargs: [["header", "s3cr3t-without-colon"]] }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.doesNotMatch(e2.message, /s3cr3t/);
});

Deno.test("a connection failure is HTTP_ERROR with a connection detail", async () => {
  const server = startServer(() => new Response("x"));
  const base = server.base;
  await server.close();
  const e = await rejectsWith(call(httpResolver, `${base}/gone`), ResolverError, "HTTP_ERROR");
  assert.match(e.detail[0] ?? "", /^Connection error: /);
});

Deno.test("messages hide the URL when an input was sensitive", async () => {
  const e = await rejectsWith(
    call(httpResolver, "secret-host.example/token123", {
      sensitiveInput: true,
      settings: { allowlist: ["https://allowed.invalid/*"] },
    }),
    ResolverError,
    "HTTP_NOT_ALLOWED",
  );
  assert.doesNotMatch(e.message, /token123|secret-host/);
});

// --- proxy ------------------------------------------------------------------------------------

Deno.test("proxy= sends the request through the proxy", async () => {
  const proxy = startServer((req) => new Response(`proxied ${req.url}`));
  try {
    const value = await call(httpResolver, "target.invalid/conf", {
      kwargs: [["proxy", `http://${proxy.base}`]],
    });
    assert.equal(value, "proxied http://target.invalid/conf");
  } finally {
    await proxy.close();
  }
});

Deno.test("the proxyFromEnv setting takes HTTPS_PROXY/HTTP_PROXY from the environment", async () => {
  const proxy = startServer((req) => new Response(`env proxy ${new URL(req.url).host}`));
  const saved = Deno.env.get("HTTP_PROXY");
  const savedHttps = Deno.env.get("HTTPS_PROXY");
  Deno.env.delete("HTTPS_PROXY");
  Deno.env.set("HTTP_PROXY", `http://${proxy.base}`);
  try {
    const value = await call(httpResolver, "target.invalid/conf", {
      settings: { proxyFromEnv: true },
    });
    assert.equal(value, "env proxy target.invalid");
  } finally {
    if (saved === undefined) Deno.env.delete("HTTP_PROXY");
    else Deno.env.set("HTTP_PROXY", saved);
    if (savedHttps !== undefined) Deno.env.set("HTTPS_PROXY", savedHttps);
    await proxy.close();
  }
});

Deno.test("an invalid proxy URL is a configuration error that does not echo it", async () => {
  const e = await rejectsWith(
    call(httpResolver, "127.0.0.1:9/x", { kwargs: [["proxy", "ftp://user:pw@host:21"]] }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.equal(e.headline, "Proxy configuration error: Invalid proxy URL");
  assert.doesNotMatch(e.message, /pw@/);
});

// --- TLS --------------------------------------------------------------------------------------

Deno.test("https with a private CA: succeeds with ca_bundle (text or path), fails without", async () => {
  const server = startServer(() => new Response("secure"), true);
  const warnings: string[] = [];
  const onWarning = (m: string) => warnings.push(m);
  try {
    const url = `localhost:${server.port}/c`;
    const noCa = await rejectsWith(
      call(httpsResolver, url, { resolver: "https" }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.match(noCa.detail[0] ?? "", /^Connection error: .*certificate/i);

    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        kwargs: [["ca_bundle", CA_PEM]],
        context: { onWarning },
      }),
      "secure",
    );
    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        kwargs: [["ca_bundle", `${TLS_DIR}ca.pem`]],
        context: { ...TLS_ROOTS, onWarning },
      }),
      "secure",
    );
    assert.equal(
      await call(httpsResolver, `127.0.0.1:${server.port}/c`, {
        resolver: "https",
        kwargs: [["ca_bundle", "ca.pem"]],
        context: { ...TLS_ROOTS, onWarning },
      }),
      "secure",
    );
    // Deno can only add to its roots: said once per warning channel.
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /ca_bundle on Deno/);
  } finally {
    await server.close();
  }
});

Deno.test("https with the caBundle / extraCaBundle settings", async () => {
  const server = startServer(() => new Response("secure"), true);
  try {
    const url = `localhost:${server.port}/c`;
    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        settings: { extraCaBundle: `${TLS_DIR}ca.pem` },
      }),
      "secure",
    );
    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        kwargs: [["extra_ca_bundle", CA_PEM]],
      }),
      "secure",
    );
    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        settings: { caBundle: CA_PEM },
      }),
      "secure",
    );
  } finally {
    await server.close();
  }
});

Deno.test("a CA bundle without certificates is a PEM load error", async () => {
  const e = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["ca_bundle", "missing-ca.pem"]],
      context: TLS_ROOTS,
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.equal(
    e.headline,
    "Failed to load PEM file 'missing-ca.pem': No valid certificates found in PEM data",
  );
  const e2 = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["extra_ca_bundle", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(e2.headline, /No valid certificates found in PEM data/);
  assert.doesNotMatch(e2.message, /AAAA/);
});

Deno.test("client certificate options: key required, key material never echoed", async () => {
  const noKey = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["client_cert", SERVER_CERT]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.equal(
    noKey.headline,
    "client_key required when using PEM certificate (not needed for P12)",
  );

  const noCert = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["client_key", SERVER_KEY]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(noCert.headline, /client_cert required/);

  const badKey = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["client_cert", SERVER_CERT], ["client_key", "not-a-key\nsecretstuff"]],
      context: TLS_ROOTS,
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(badKey.headline, /No valid private key found/);
  assert.doesNotMatch(badKey.message, /secretstuff/);

  const encrypted =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
  const noPassword = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["client_cert", SERVER_CERT], ["client_key", encrypted]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(noPassword.headline, /key_password is required/);
});

Deno.test("a client certificate and key are accepted on Deno", async () => {
  const server = startServer(() => new Response("mtls-capable"), true);
  try {
    assert.equal(
      await call(httpsResolver, `localhost:${server.port}/`, {
        resolver: "https",
        kwargs: [
          ["extra_ca_bundle", CA_PEM],
          ["client_cert", `${TLS_DIR}server.pem`],
          ["client_key", `${TLS_DIR}server.key`],
        ],
        context: TLS_ROOTS,
      }),
      "mtls-capable",
    );
  } finally {
    await server.close();
  }
});

Deno.test("options Deno cannot honour are clear errors, not silently ignored", async () => {
  const insecure = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["insecure", "true"]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.equal(insecure.headline, "insecure=true is not supported on Deno");
  assert.match(insecure.help ?? "", /unsafely-ignore-certificate-errors/);

  const encrypted =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
  const withPassword = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["client_cert", SERVER_CERT], ["client_key", encrypted], ["key_password", "pw"]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(withPassword.headline, /^key_password .* is not supported on Deno$/);

  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/id.p12`, new Uint8Array([0x30, 0x82, 0x01]));
    const p12 = await rejectsWith(
      call(httpsResolver, "127.0.0.1:9/x", {
        resolver: "https",
        kwargs: [["client_cert", "id.p12"]],
        context: { baseDir: dir, fileRoots: [dir] },
      }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.match(p12.headline, /PKCS#12.* is not supported on Deno/);
    const missing = await rejectsWith(
      call(httpsResolver, "127.0.0.1:9/x", {
        resolver: "https",
        kwargs: [["client_cert", "nope.pfx"]],
        context: { baseDir: dir, fileRoots: [dir] },
      }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.equal(missing.headline, "Failed to load PKCS#12 file 'nope.pfx': file not found");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// --- review fixes -------------------------------------------------------------------------------

/** Every message and name in an error and its `cause` chain. */
function allErrorText(e: unknown): string {
  const parts: string[] = [];
  for (let cur = e, i = 0; cur !== undefined && cur !== null && i < 10; i++) {
    parts.push(cur instanceof Error ? `${cur.name} ${cur.message}` : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join("\n");
}

Deno.test("a TLS failure on a sensitive URL shows no runtime text, not even in the cause", async () => {
  const server = startServer(() => new Response("x"), true);
  try {
    // No CA for the server's certificate: the runtime's error names the host and the URL.
    const key = `localhost:${server.port}/hunter2path`;
    const open = await rejectsWith(
      call(httpsResolver, key, { resolver: "https" }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.match(allErrorText(open), /localhost/);
    const e = await rejectsWith(
      call(httpsResolver, key, { resolver: "https", sensitiveInput: true }),
      ResolverError,
      "HTTP_ERROR",
    );
    const everything = allErrorText(e);
    for (const leak of ["localhost", String(server.port), "hunter2path", "certificate"]) {
      assert.ok(!everything.includes(leak), `leaked ${leak}: ${everything}`);
    }
    assert.match(e.detail[0] ?? "", /^Connection error: \w+ \(TLS error; details hidden/);
    assert.ok(e.cause instanceof Error && e.cause.cause === undefined);
  } finally {
    await server.close();
  }
});

const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

Deno.test("a response declared larger than 50 MiB is refused before its body is read", async () => {
  // The body is 10 bytes that end early: only a check of the declared length reports it as
  // too large (reading it would fail on the early end instead).
  const server = startServer(() =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(10));
          c.close();
        },
      }),
      { headers: { "content-length": String(MAX_RESPONSE_BYTES + 1) } },
    )
  );
  try {
    const e = await rejectsWith(
      call(httpResolver, `${server.base}/big`),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.equal(e.headline, `HTTP response too large (> ${MAX_RESPONSE_BYTES} bytes)`);
    assert.equal(e.detail[0], `URL: http://${server.base}/big`);
  } finally {
    await server.close();
  }
});

Deno.test("a streamed response past 50 MiB stops the read with HTTP_ERROR", async () => {
  const chunk = new Uint8Array(1024 * 1024);
  let sent = 0;
  const cancelled = Promise.withResolvers<void>();
  const server = startServer(() =>
    new Response(
      new ReadableStream({
        pull(c) {
          sent++;
          c.enqueue(chunk.slice());
        },
        cancel() {
          cancelled.resolve();
        },
      }),
    )
  );
  try {
    const e = await rejectsWith(
      call(httpResolver, `${server.base}/endless`, { kwargs: [["parse", "binary"]] }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.equal(e.headline, `HTTP response too large (> ${MAX_RESPONSE_BYTES} bytes)`);
    await cancelled.promise; // the client dropped the endless body
    assert.ok(sent < 200, `server sent ${sent} MiB`);
  } finally {
    await server.close();
  }
});

Deno.test("aborting call.signal while the body is being read rejects with the abort reason", async () => {
  const firstChunkSent = Promise.withResolvers<void>();
  const cancelled = Promise.withResolvers<void>();
  const server = startServer(() =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode("partial"));
        },
        pull() {
          firstChunkSent.resolve(); // the first chunk is out; the body never ends
          return new Promise(() => {});
        },
        cancel() {
          cancelled.resolve();
        },
      }),
    )
  );
  try {
    const controller = new AbortController();
    const pending = call(httpResolver, `${server.base}/stall`, { signal: controller.signal });
    await firstChunkSent.promise;
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    await cancelled.promise;
  } finally {
    await server.close();
  }
});

Deno.test("allowlist patterns with internationalised (IDN) hosts match their punycode form", () => {
  const p = "https://*.bücher.example/*";
  assert.equal(urlMatchesPattern("https://shop.bücher.example/x", p), true);
  assert.equal(urlMatchesPattern("https://shop.xn--bcher-kva.example/x", p), true);
  assert.equal(urlMatchesPattern("https://shop.bucher.example/x", p), false);
  assert.equal(urlMatchesPattern("https://bücher.example/", "https://BÜCHER.example/"), true);
  assert.equal(urlMatchesPattern("https://xn--bcher-kva.example/", "https://bücher.example"), true);
  assert.equal(urlMatchesPattern("https://evil.example/.bücher.example/", p), false);
  // A `*` inside a non-ASCII label cannot be matched against punycode: the pattern is malformed.
  assert.equal(urlMatchesPattern("https://bücher.example/", "https://bü*.example/*"), false);
  // `*` never matches an IPv6 literal.
  assert.equal(urlMatchesPattern("http://[::1]/x", "http://*/*"), false);
});

Deno.test("on Deno, httpProxyFromEnv=false with a proxy in the environment warns once", async () => {
  const script = `
    import { httpResolver } from ${
    JSON.stringify(new URL("../../resolvers/http.ts", import.meta.url).href)
  };
    import { makeResolverCall } from ${
    JSON.stringify(new URL("../_call.ts", import.meta.url).href)
  };
    const warnings = [];
    const context = { onWarning: (m) => warnings.push(m) };
    const settings = { allow: true, proxyFromEnv: false };
    for (let i = 0; i < 2; i++) {
      const key = "127.0.0.1:9/x";
      const c = makeResolverCall({ args: [key], context, settings });
      await Promise.resolve(httpResolver.resolve(key, c))
        .catch(() => {});
    }
    console.log(JSON.stringify(warnings));
  `;
  const run = async (env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, script],
      env: { ...env, NO_PROXY: "*" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout)) as string[];
  };
  const path = Deno.env.get("PATH") ?? "";
  const home = Deno.env.get("HOME") ?? "/tmp";
  const base = {
    PATH: path,
    HOME: home,
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
  };
  const warned = await run({ ...base, https_proxy: "http://127.0.0.1:9" });
  assert.equal(warned.length, 1, JSON.stringify(warned));
  assert.match(
    warned[0]!,
    /httpProxyFromEnv is false, but Deno's fetch uses the proxy in https_proxy/,
  );
  assert.match(warned[0]!, /NO_PROXY/);
  assert.deepEqual(await run(base), []);
});

// --- proxies named in config text obey the allowlist --------------------------------------------

Deno.test("proxy= outside the allowlist is refused before any byte reaches the proxy or target", async () => {
  const target = startServer(() => new Response("from target"));
  const proxy = startServer(() => new Response("from proxy"));
  try {
    const e = await rejectsWith(
      call(httpResolver, `${target.base}/ok`, {
        kwargs: [["proxy", `http://user:pr0xypw@${proxy.base}`]],
        settings: { allowlist: [`http://${target.base}/*`] },
      }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    assert.equal(e.headline, `Proxy not in allowlist: http://${proxy.base}`);
    assert.doesNotMatch(allErrorText(e), /pr0xypw|user/);
    assert.equal(proxy.requests.length, 0);
    assert.equal(target.requests.length, 0);
  } finally {
    await proxy.close();
    await target.close();
  }
});

Deno.test("a proxy is used when proxy= matches the allowlist, with no allowlist, or set by the program", async () => {
  const target = startServer(() => new Response("from target"));
  const proxy = startServer((req) => new Response(`proxied ${new URL(req.url).pathname}`));
  try {
    const kwargs: [string, string][] = [["proxy", `http://${proxy.base}`]];
    const allow = [`http://${target.base}/*`, `http://127.0.0.1:${proxy.port}`];
    assert.equal(
      await call(httpResolver, `${target.base}/ok`, { kwargs, settings: { allowlist: allow } }),
      "proxied /ok",
    );
    assert.equal(await call(httpResolver, `${target.base}/any`, { kwargs }), "proxied /any");
    // A pattern that only allows a path of the proxy's host does not allow it as a proxy.
    await rejectsWith(
      call(httpResolver, `${target.base}/ok`, {
        kwargs,
        settings: { allowlist: [`http://${target.base}/*`, `http://${proxy.base}/api/*`] },
      }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    // A proxy set by the program is trusted: no allowlist entry needed.
    assert.equal(
      await call(httpResolver, `${target.base}/ok`, {
        settings: { allowlist: [`http://${target.base}/*`], proxy: `http://${proxy.base}` },
      }),
      "proxied /ok",
    );
    assert.equal(proxy.requests.length, 3);
    assert.equal(target.requests.length, 0);
  } finally {
    await proxy.close();
    await target.close();
  }
});

// --- TLS file paths written in config text obey the file sandbox --------------------------------

interface TlsSandbox {
  /** The only file root (and the base directory). */
  root: string;
  /** A directory outside the root holding ca.pem, server.pem, server.key, id.p12. */
  outside: string;
  cleanup(): void;
}

function tlsSandbox(): TlsSandbox {
  const top = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "holoconf_http_" }));
  const root = `${top}/root`;
  const outside = `${top}/outside`;
  Deno.mkdirSync(root);
  Deno.mkdirSync(outside);
  for (const dir of [root, outside]) {
    Deno.writeTextFileSync(`${dir}/ca.pem`, CA_PEM);
    Deno.writeTextFileSync(`${dir}/server.pem`, SERVER_CERT);
    Deno.writeTextFileSync(`${dir}/server.key`, SERVER_KEY);
    Deno.writeFileSync(`${dir}/id.p12`, new Uint8Array([0x30, 0x82, 0x01]));
  }
  Deno.symlinkSync(`${outside}/ca.pem`, `${root}/link-ca.pem`);
  return { root, outside, cleanup: () => Deno.removeSync(top, { recursive: true }) };
}

Deno.test("ca_bundle/extra_ca_bundle/client_cert/client_key paths outside the file roots are refused", async () => {
  const sb = tlsSandbox();
  const server = startServer(() => new Response("secure"), true);
  try {
    const context = { baseDir: sb.root, fileRoots: [sb.root] };
    const url = `localhost:${server.port}/c`;
    const refused: [string, [string, string][]][] = [
      ["ca_bundle absolute", [["ca_bundle", `${sb.outside}/ca.pem`]]],
      ["ca_bundle relative", [["ca_bundle", "../outside/ca.pem"]]],
      ["ca_bundle symlink", [["ca_bundle", "link-ca.pem"]]],
      ["ca_bundle file URI", [["ca_bundle", `//${sb.outside}/ca.pem`]]],
      ["extra_ca_bundle", [["extra_ca_bundle", `${sb.outside}/ca.pem`]]],
      ["client_cert", [["ca_bundle", CA_PEM], ["client_cert", `${sb.outside}/server.pem`], [
        "client_key",
        SERVER_KEY,
      ]]],
      ["client_key", [["ca_bundle", CA_PEM], ["client_cert", SERVER_CERT], [
        "client_key",
        `${sb.outside}/server.key`,
      ]]],
      ["client_cert .p12", [["client_cert", `${sb.outside}/id.p12`]]],
    ];
    for (const [label, kwargs] of refused) {
      const e = await rejectsWith(
        call(httpsResolver, url, { resolver: "https", kwargs, context }),
        ResolverError,
        "FILE_ACCESS_DENIED",
      );
      assert.match(
        e.headline,
        /^Failed to load (PEM|PKCS#12) file '.*': outside the file roots$/,
        label,
      );
      assert.doesNotMatch(allErrorText(e), /BEGIN|PRIVATE KEY/, label);
    }
    assert.equal(server.requests.length, 0);

    // The same files inside the root are read.
    assert.equal(
      await call(httpsResolver, url, {
        resolver: "https",
        kwargs: [["ca_bundle", "ca.pem"], ["client_cert", "server.pem"], [
          "client_key",
          `${sb.root}/server.key`,
        ]],
        context,
      }),
      "secure",
    );
  } finally {
    await server.close();
    sb.cleanup();
  }
});

Deno.test("a TLS path in config text needs file roots, like ${file:}", async () => {
  const e = await rejectsWith(
    call(httpsResolver, "127.0.0.1:9/x", {
      resolver: "https",
      kwargs: [["ca_bundle", `${TLS_DIR}ca.pem`]],
    }),
    ResolverError,
    "HTTP_ERROR",
  );
  assert.match(e.headline, /^Failed to load PEM file '.*ca\.pem': /);
  assert.match(e.detail.join("\n"), /File resolver requires allowed directories/);
});

Deno.test("TLS files given by the program (caBundle...) are trusted outside the file roots", async () => {
  const sb = tlsSandbox();
  const server = startServer(() => new Response("secure"), true);
  try {
    assert.equal(
      await call(httpsResolver, `localhost:${server.port}/c`, {
        resolver: "https",
        context: { baseDir: sb.root, fileRoots: [sb.root] },
        settings: {
          caBundle: `${sb.outside}/ca.pem`,
          clientCert: `${sb.outside}/server.pem`,
          clientKey: `${sb.outside}/server.key`,
        },
      }),
      "secure",
    );
  } finally {
    await server.close();
    sb.cleanup();
  }
});

// --- redirects ------------------------------------------------------------------------------------

Deno.test("a cross-origin redirect drops every header the config added; same-origin keeps them", async () => {
  const other = startServer(() => new Response("other origin"));
  const origin = startServer((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/cross") {
      return new Response(null, {
        status: 302,
        headers: { location: `http://${other.base}/landing` },
      });
    }
    if (path === "/same") return new Response(null, { status: 302, headers: { location: "/x" } });
    return new Response("same origin");
  });
  try {
    const kwargs: [string, string][] = [
      ["header", "X-Api-Key: k3y-s3cr3t"],
      ["header", "Authorization: Bearer t0ken"],
      ["header", "Cookie: session=c00kie"],
      ["header", "Accept: application/x-custom"],
    ];
    assert.equal(
      await call(httpResolver, `${origin.base}/cross`, { kwargs, sensitiveInput: true }),
      "other origin",
    );
    assert.equal(other.requests.length, 1);
    const seen = other.requests[0]!.headers;
    assert.equal(seen.get("x-api-key"), null);
    assert.equal(seen.get("authorization"), null);
    assert.equal(seen.get("cookie"), null);
    assert.notEqual(seen.get("accept"), "application/x-custom");
    for (const [name, value] of seen) {
      assert.doesNotMatch(`${name}: ${value}`, /k3y-s3cr3t|t0ken|c00kie/);
    }
    // The first origin did get them.
    assert.equal(origin.requests[0]!.headers.get("x-api-key"), "k3y-s3cr3t");

    assert.equal(await call(httpResolver, `${origin.base}/same`, { kwargs }), "same origin");
    assert.equal(origin.requests.at(-1)!.headers.get("x-api-key"), "k3y-s3cr3t");
  } finally {
    await origin.close();
    await other.close();
  }
});

Deno.test("headers dropped on a cross-origin hop stay dropped when a later hop comes back", async () => {
  let originBase = "";
  const other = startServer(() =>
    new Response(null, { status: 302, headers: { location: `http://${originBase}/final` } })
  );
  const origin = startServer((req) => {
    if (new URL(req.url).pathname === "/start") {
      return new Response(null, {
        status: 302,
        headers: { location: `http://${other.base}/bounce` },
      });
    }
    return new Response(`final ${req.headers.get("x-api-key") ?? "-"}`);
  });
  originBase = origin.base;
  try {
    assert.equal(
      await call(httpResolver, `${origin.base}/start`, {
        kwargs: [["header", "X-Api-Key: k3y"]],
      }),
      "final -",
    );
    assert.equal(other.requests[0]!.headers.get("x-api-key"), null);
  } finally {
    await origin.close();
    await other.close();
  }
});

Deno.test("a redirect to an origin outside the allowlist sends nothing to that origin", async () => {
  const other = startServer(() => new Response("other origin"));
  const origin = startServer(() =>
    new Response(null, { status: 302, headers: { location: `http://${other.base}/x` } })
  );
  try {
    const e = await rejectsWith(
      call(httpResolver, `${origin.base}/start`, {
        kwargs: [["header", "X-Api-Key: k3y"]],
        settings: { allowlist: [`http://${origin.base}/*`] },
      }),
      ResolverError,
      "HTTP_NOT_ALLOWED",
    );
    assert.equal(e.headline, `URL not in allowlist: http://${other.base}/x`);
    assert.equal(origin.requests.length, 1);
    assert.equal(other.requests.length, 0);
  } finally {
    await origin.close();
    await other.close();
  }
});

Deno.test("a redirect from https to http is refused before anything is sent over http", async () => {
  const plain = startServer(() => new Response("plain http"));
  const secure = startServer(
    () => new Response(null, { status: 302, headers: { location: `http://${plain.base}/x` } }),
    true,
  );
  try {
    const e = await rejectsWith(
      call(httpsResolver, `localhost:${secure.port}/start`, {
        resolver: "https",
        kwargs: [["ca_bundle", CA_PEM], ["header", "X-Api-Key: k3y"]],
      }),
      ResolverError,
      "HTTP_ERROR",
    );
    assert.equal(e.detail[0], `Refused redirect from https to http: http://${plain.base}/x`);
    assert.equal(secure.requests.length, 1);
    assert.equal(plain.requests.length, 0);
  } finally {
    await secure.close();
    await plain.close();
  }
});

// --- the same rules through a Config ----------------------------------------------------------------

Deno.test("through a Config: proxy= outside the allowlist and a secret header after a cross-origin 302", async () => {
  const KEY_VAR = "HOLOCONF_HTTP_TEST_API_KEY";
  const target = startServer((req) =>
    new URL(req.url).pathname === "/moved"
      ? new Response(null, { status: 302, headers: { location: `http://${other.base}/landing` } })
      : new Response("from target")
  );
  const other = startServer(() => new Response("from other"));
  const proxy = startServer(() => new Response("from proxy"));
  Deno.env.set(KEY_VAR, "k3y-s3cr3t");
  try {
    const allowlisted = Config.loads(
      `v: \${http:${target.base}/ok,proxy=http://${proxy.base}}\n`,
      { allowHttp: true, httpAllowlist: [`http://${target.base}/*`] },
    );
    await assert.rejects(
      allowlisted.get("v"),
      (e: unknown) => e instanceof ResolverError && e.code === "HTTP_NOT_ALLOWED",
    );
    assert.equal(proxy.requests.length, 0);

    const moved = Config.loads(
      `v: \${http:${target.base}/moved,header=X-Api-Key:\${env:${KEY_VAR},sensitive=true}}\n`,
      { allowHttp: true },
    );
    assert.equal(await moved.get("v"), "from other");
    assert.equal(target.requests.at(-1)!.headers.get("x-api-key"), "k3y-s3cr3t");
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0]!.headers.get("x-api-key"), null);
  } finally {
    Deno.env.delete(KEY_VAR);
    await proxy.close();
    await other.close();
    await target.close();
  }
});

Deno.test("through a Config: its http settings win over the process's, a kwarg over both", async () => {
  const server = startServer((req) => new Response(`got ${new URL(req.url).pathname}`));
  const proxy = startServer(() => new Response("from proxy"));
  const allowed = [`http://${server.base}/*`];
  configureResolver("http", { allow: true, allowlist: [`http://${server.base}/open/*`] });
  try {
    // Process: enabled, only /open/ allowed.
    assert.equal(await Config.loads(`v: \${http:${server.base}/open/a}\n`).get("v"), "got /open/a");
    await assert.rejects(
      Config.loads(`v: \${http:${server.base}/closed}\n`).get("v"),
      (e: unknown) => e instanceof ResolverError && e.code === "HTTP_NOT_ALLOWED",
    );
    // The Config's allowlist replaces the process's; its `allow: false` disables.
    const own = Config.loads(`v: \${http:${server.base}/closed}\n`, {
      resolverSettings: { http: { allowlist: allowed, proxy: `http://${proxy.base}` } },
    });
    assert.equal(await own.get("v"), "from proxy");
    await assert.rejects(
      Config.loads(`v: \${http:${server.base}/open/a}\n`, { allowHttp: false }).get("v"),
      (e: unknown) => e instanceof ResolverError && e.code === "HTTP_DISABLED",
    );
    // proxy= (allowed by the Config's allowlist) wins over the Config's proxy setting: here it
    // names the server itself.
    const kwarg = Config.loads(
      `v: \${http:${server.base}/closed,proxy=http://${server.base}}\n`,
      { resolverSettings: { http: { allowlist: allowed, proxy: `http://${proxy.base}` } } },
    );
    assert.match(String(await kwarg.get("v")), /^got /);
    assert.equal(proxy.requests.length, 1);
  } finally {
    resetResolverSettings("http");
    await proxy.close();
    await server.close();
  }
});

Deno.test("http settings are checked: unknown fields with a suggestion, wrong types", () => {
  assert.throws(
    () => configureResolver("http", { allowList: [] }),
    (e: unknown) =>
      e instanceof ResolverError && e.code === "UNKNOWN_SETTING" &&
      e.help === "Did you mean 'allowlist'?",
  );
  assert.throws(
    () => Config.loads("a: 1\n", { resolverSettings: { http: { clientKeyPassword: 1234 } } }),
    (e: unknown) =>
      e instanceof ResolverError && e.code === "INVALID_SETTING" && !e.message.includes("1234"),
  );
});
