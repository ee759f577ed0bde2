/**
 * The runtime-specific half of the `http`/`https` resolvers: turns proxy and TLS settings into
 * what the runtime's `fetch` understands.
 *
 * - Deno: `Deno.createHttpClient({ caCerts, cert, key, proxy })`, passed to `fetch` as `client`.
 * - Node: an `undici` `Agent`, `ProxyAgent` or `Socks5ProxyAgent` with
 *   `connect`/`requestTls: { ca, cert, key, passphrase, pfx, rejectUnauthorized }`, used with
 *   undici's own `fetch` as `dispatcher`. `undici` is imported only when an option needs it.
 * - Any runtime, no option set: the global `fetch` as is.
 *
 * An option a runtime cannot honour throws {@linkcode HttpOptionUnsupportedError}; nothing is
 * silently dropped. Nothing here runs or imports anything at module load time.
 *
 * @module
 */

import { deno, nodeBuiltin, runtimeName } from "./runtime.ts";

/** Proxy and TLS settings of one request (all already validated and loaded as text). */
export interface HttpTransportOptions {
  /** Proxy URL (`http://`, `https://`, `socks5://`, `socks5h://`), credentials allowed. */
  proxy?: string | undefined;
  /** PEM certificates that REPLACE the default trust roots (`ca_bundle`). */
  caCerts?: string[] | undefined;
  /** PEM certificates ADDED to the default trust roots (`extra_ca_bundle`). */
  extraCaCerts?: string[] | undefined;
  /** Client certificate chain, PEM (`client_cert`). */
  cert?: string | undefined;
  /** Client private key, PEM (`client_key`). */
  key?: string | undefined;
  /** Password of an encrypted `key` or of `pfx` (`key_password`). */
  passphrase?: string | undefined;
  /** PKCS#12 client identity (`client_cert` naming a `.p12`/`.pfx` file). */
  pfx?: Uint8Array | undefined;
  /** Skip server certificate verification (`insecure=true`). */
  insecure?: boolean | undefined;
}

/** What one request sends besides its URL. */
export interface HttpRequestInit {
  /** Request headers. */
  headers: Headers;
  /** Aborts the request and the body read. */
  signal: AbortSignal;
}

/** A `fetch` bound to the proxy/TLS settings; `close` it when done (after reading the body). */
export interface HttpTransport {
  /**
   * Sends a GET without following redirects (`redirect: "manual"`).
   *
   * @param url Absolute URL.
   * @param init Headers and signal.
   * @returns The response (3xx included).
   */
  fetch(url: string, init: HttpRequestInit): Promise<Response>;
  /** Releases the client / dispatcher. @returns When released. */
  close(): Promise<void>;
  /** Settings honoured only in part on this runtime, to pass on as warnings. */
  warnings: string[];
}

/**
 * An option the current runtime cannot honour.
 *
 * @example
 * ```ts
 * import { HttpOptionUnsupportedError } from "./runtime_http.ts";
 * import assert from "node:assert/strict";
 * const e = new HttpOptionUnsupportedError("insecure=true", "Deno", "Use ca_bundle instead");
 * assert.match(e.message, /insecure=true is not supported on Deno/);
 * ```
 */
export class HttpOptionUnsupportedError extends Error {
  /** The option, as the user wrote it (e.g. `insecure=true`). */
  option: string;
  /** The runtime (e.g. `Deno`). */
  runtime: string;
  /** What to do instead. */
  hint: string;

  /**
   * Names the option, the runtime and what to do instead.
   *
   * @param option The option.
   * @param runtime The runtime.
   * @param hint What to do instead.
   */
  constructor(option: string, runtime: string, hint: string) {
    super(`${option} is not supported on ${runtime}`);
    this.name = "HttpOptionUnsupportedError";
    this.option = option;
    this.runtime = runtime;
    this.hint = hint;
  }
}

/**
 * The runtime refused the settings (bad PEM data, a missing `undici` package...).
 *
 * @example
 * ```ts
 * import { HttpTransportSetupError } from "./runtime_http.ts";
 * import assert from "node:assert/strict";
 * const cause = new TypeError("invalid PEM");
 * const e = new HttpTransportSetupError("Cannot read the client certificate", { cause });
 * assert.equal(e.name, "HttpTransportSetupError");
 * assert.equal(e.message, "Cannot read the client certificate");
 * assert.equal(e.cause, cause);
 * ```
 */
export class HttpTransportSetupError extends Error {
  /**
   * Describes the rejected settings.
   *
   * @param message What went wrong (never contains key material).
   * @param options The underlying error.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpTransportSetupError";
  }
}

// deno-lint-ignore no-explicit-any
type AnyRecord = any;

/** Whether any proxy or TLS setting is present (so a plain `fetch` will not do). */
function hasTransportOptions(options: HttpTransportOptions): boolean {
  return options.proxy !== undefined || options.caCerts !== undefined ||
    options.extraCaCerts !== undefined || options.cert !== undefined ||
    options.key !== undefined || options.pfx !== undefined || options.insecure === true;
}

/**
 * Opens a transport for the current runtime honouring `options`.
 *
 * @param options Proxy and TLS settings.
 * @returns A transport; close it after reading the response body.
 * @throws {HttpOptionUnsupportedError} When the runtime cannot honour an option.
 * @throws {HttpTransportSetupError} When the runtime rejects the settings.
 *
 * @example Plain fetch when nothing is set
 * ```ts
 * import { openHttpTransport } from "./runtime_http.ts";
 * import assert from "node:assert/strict";
 * const transport = await openHttpTransport({});
 * assert.deepEqual(transport.warnings, []);
 * await transport.close();
 * ```
 */
export async function openHttpTransport(options: HttpTransportOptions): Promise<HttpTransport> {
  if (!hasTransportOptions(options)) {
    return {
      fetch: (url, init) => globalThis.fetch(url, { ...init, method: "GET", redirect: "manual" }),
      close: () => Promise.resolve(),
      warnings: [],
    };
  }
  const runtime = runtimeName();
  if (runtime === "deno") return openDenoTransport(options);
  if (runtime === "node") return await openNodeTransport(options);
  throw new HttpOptionUnsupportedError(
    firstOptionName(options),
    "this runtime",
    "Proxy and TLS options need Deno or Node; remove the option to use the runtime's fetch",
  );
}

function firstOptionName(o: HttpTransportOptions): string {
  if (o.proxy !== undefined) return "proxy";
  if (o.caCerts !== undefined) return "ca_bundle";
  if (o.extraCaCerts !== undefined) return "extra_ca_bundle";
  if (o.cert !== undefined || o.pfx !== undefined) return "client_cert";
  if (o.key !== undefined) return "client_key";
  return "insecure=true";
}

/** Splits `user:password@` off a proxy URL (Deno takes credentials as `basicAuth`). */
function splitProxyCredentials(
  proxy: string,
): { url: string; protocol: string; basicAuth?: { username: string; password: string } } {
  const parsed = new URL(proxy);
  const protocol = parsed.protocol;
  if (parsed.username === "" && parsed.password === "") return { url: proxy, protocol };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.href, protocol, basicAuth: { username, password } };
}

function openDenoTransport(o: HttpTransportOptions): HttpTransport {
  const d = deno();
  if (o.insecure) {
    throw new HttpOptionUnsupportedError(
      "insecure=true",
      "Deno",
      "Deno cannot skip certificate checks for one request: pass the server's CA with " +
        "ca_bundle/extra_ca_bundle, or run Deno with --unsafely-ignore-certificate-errors=<host> " +
        "and drop insecure=true",
    );
  }
  if (o.pfx !== undefined) {
    throw new HttpOptionUnsupportedError(
      "client_cert (PKCS#12 .p12/.pfx)",
      "Deno",
      "Convert it to PEM (openssl pkcs12 -in id.p12 -nodes) and pass client_cert and client_key",
    );
  }
  if (o.passphrase !== undefined) {
    throw new HttpOptionUnsupportedError(
      "key_password (encrypted client_key)",
      "Deno",
      "Deno needs an unencrypted PEM key: decrypt it (openssl pkcs8 -in key.pem -out plain.pem) " +
        "and keep it readable only by the service",
    );
  }
  if (typeof d?.createHttpClient !== "function") {
    throw new HttpOptionUnsupportedError(
      firstOptionName(o),
      "this Deno environment (no Deno.createHttpClient)",
      "Remove the proxy/TLS options for this environment",
    );
  }
  const warnings: string[] = [];
  const clientOptions: AnyRecord = {};
  // Deno's `caCerts` are ADDED to the default roots (Mozilla's, or the system store with
  // DENO_TLS_CA_STORE=system); no per-client option removes them. So `extra_ca_bundle` is honoured
  // exactly, while `ca_bundle` is honoured in part: its CAs are trusted, but the default roots stay
  // trusted too. We say so through a warning instead of refusing, because trusting a private CA is
  // what `ca_bundle` is used for. As upstream does, `extra_ca_bundle` does not apply when
  // `ca_bundle` is set.
  if (o.caCerts !== undefined) {
    clientOptions.caCerts = o.caCerts;
    warnings.push(
      "ca_bundle on Deno: the bundle's CAs are trusted IN ADDITION to Deno's default roots " +
        "(Deno cannot replace the roots for one client)",
    );
  } else if (o.extraCaCerts !== undefined) {
    clientOptions.caCerts = o.extraCaCerts;
  }
  if (o.cert !== undefined) clientOptions.cert = o.cert;
  if (o.key !== undefined) clientOptions.key = o.key;
  if (o.proxy !== undefined) {
    const { url, protocol: scheme, basicAuth } = splitProxyCredentials(o.proxy);
    clientOptions.proxy = {
      transport: scheme === "https:" ? "https" : scheme.startsWith("socks5") ? "socks5" : "http",
      url,
      ...(basicAuth === undefined ? {} : { basicAuth }),
    };
  }
  let client: AnyRecord;
  try {
    client = d.createHttpClient(clientOptions);
  } catch (e) {
    throw new HttpTransportSetupError(
      `Deno rejected the TLS/proxy settings: ${(e as Error)?.message ?? String(e)}`,
      { cause: e },
    );
  }
  return {
    fetch: (url, init) =>
      (globalThis.fetch as AnyRecord)(url, {
        ...init,
        method: "GET",
        redirect: "manual",
        client,
      }),
    close: () => {
      client.close();
      return Promise.resolve();
    },
    warnings,
  };
}

async function openNodeTransport(o: HttpTransportOptions): Promise<HttpTransport> {
  let undici: AnyRecord;
  try {
    undici = await import("undici");
  } catch (e) {
    throw new HttpTransportSetupError(
      `The ${firstOptionName(o)} option needs the 'undici' package on Node: npm install undici`,
      { cause: e },
    );
  }
  const tls: AnyRecord = {};
  // Node's `ca` REPLACES the default roots: `ca_bundle` is passed as is; `extra_ca_bundle` is
  // appended to Node's bundled roots (`tls.rootCertificates`), and ignored when `ca_bundle` is set.
  if (o.caCerts !== undefined) {
    tls.ca = o.caCerts;
  } else if (o.extraCaCerts !== undefined) {
    const nodeTls = nodeBuiltin<{ rootCertificates?: readonly string[] }>("node:tls");
    if (!nodeTls?.rootCertificates) {
      throw new HttpOptionUnsupportedError(
        "extra_ca_bundle",
        "this Node version (no process.getBuiltinModule)",
        "Use Node 20.16 or later, or pass the complete bundle with ca_bundle",
      );
    }
    tls.ca = [...nodeTls.rootCertificates, ...o.extraCaCerts];
  }
  if (o.cert !== undefined) tls.cert = o.cert;
  if (o.key !== undefined) tls.key = o.key;
  if (o.pfx !== undefined) tls.pfx = o.pfx;
  if (o.passphrase !== undefined) tls.passphrase = o.passphrase;
  if (o.insecure) tls.rejectUnauthorized = false;

  let dispatcher: AnyRecord;
  try {
    if (o.proxy === undefined) {
      dispatcher = new undici.Agent({ connect: tls });
    } else if (new URL(o.proxy).protocol.startsWith("socks5")) {
      // undici sends host names to the SOCKS proxy (remote DNS), i.e. socks5h semantics.
      const socksUrl = `socks5://${o.proxy.slice(o.proxy.indexOf("://") + 3)}`;
      dispatcher = new undici.Socks5ProxyAgent(socksUrl, { requestTls: tls });
    } else {
      dispatcher = new undici.ProxyAgent({ uri: o.proxy, requestTls: tls });
    }
  } catch (e) {
    throw new HttpTransportSetupError(
      `undici rejected the TLS/proxy settings: ${(e as Error)?.message ?? String(e)}`,
      { cause: e },
    );
  }
  return {
    fetch: async (url, init) =>
      (await undici.fetch(url, {
        ...init,
        method: "GET",
        redirect: "manual",
        dispatcher,
      })) as Response,
    close: async () => {
      await dispatcher.close();
    },
    warnings: [],
  };
}
