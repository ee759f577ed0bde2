/**
 * The `http` and `https` resolvers (SPEC §7.4): fetch a URL's body as text or bytes.
 *
 * Disabled unless the program allows HTTP (the `http` settings); an allowlist limits which URLs
 * may be fetched (also on every redirect hop, and the origin of a proxy named with `proxy=`). A
 * redirect to another origin drops every header the config added. Proxy and TLS settings come
 * from keyword arguments (config text: TLS file paths are read inside the file roots only, as
 * `${file:}` reads them) or the `http` settings ({@linkcode HTTP_SETTINGS}: given by the
 * program, trusted), and are mapped onto the runtime by `src/runtime_http.ts`.
 *
 * @module
 */

import { concatBytes } from "../src/_bytes.ts";
import { timeLimited } from "../src/_abortable.ts";
import { HoloconfError, NotFoundError, ParseError, ResolverError } from "../src/errors.ts";
import type {
  PlannedCall,
  ResolverCall,
  ResolverDescription,
  ResolverObject,
} from "../src/resolver.ts";
import {
  cwd,
  getEnv,
  readFileSync,
  RuntimeFileError,
  runtimeName,
  statSync,
} from "../src/runtime.ts";
import { resolve as resolvePath } from "../src/_posix.ts";
import {
  HttpOptionUnsupportedError,
  type HttpTransport,
  type HttpTransportOptions,
  HttpTransportSetupError,
  openHttpTransport,
} from "../src/runtime_http.ts";
import { boolKwarg, causeFor, enumKwarg, errorName, redactedCause, shown } from "./_args.ts";
import { fileResolver } from "./file.ts";
import { HTTP_SETTINGS } from "./_http_settings.ts";
import { byText, plural } from "./_describe.ts";

/** Seconds a request may take (connection, redirects and body) unless `timeout=` says otherwise. */
const DEFAULT_TIMEOUT_SECONDS = 30;
/** Redirects followed before giving up. */
const MAX_REDIRECTS = 10;
/** Largest response body read (50 MiB); a longer one is an error. */
const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

const CERTIFICATE_REGEXP = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_REGEXP =
  /-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----[\s\S]*?-----END \1?PRIVATE KEY-----/;
const ENCRYPTED_KEY_REGEXP = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;
const PKCS12_PATH_REGEXP = /\.(p12|pfx)$/i;
const PROXY_SCHEMES = ["http:", "https:", "socks5:", "socks5h:"];

/**
 * Whether a URL matches one allowlist pattern (`scheme://[user@]host[:port]/path`).
 *
 * The scheme must be equal; in the host `*` matches any run of characters that stays inside the
 * host (never `/`, `@` or `:`); the port must equal the pattern's (default ports implied; `*`
 * means any port); user-info in the URL only matches a pattern that has the same user-info; in
 * the path (query included) `*` matches anything. A pattern without a path means `/`.
 * Hosts compare as `new URL` normalises them: case-insensitively, and internationalised (IDN)
 * names in their punycode form, so `https://*.bücher.example/*` matches
 * `https://shop.bücher.example/` (a `*` inside a non-ASCII label cannot match and makes the
 * pattern malformed). `*` never matches an IPv6 literal (its `:` ends the match): write IPv6
 * hosts out in full, e.g. `http://[::1]:8080/*`. Malformed patterns match nothing.
 *
 * @param url The URL to check (string or parsed).
 * @param pattern An allowlist pattern such as `https://*.example.com/*`.
 * @returns `true` when the URL is allowed by the pattern.
 *
 * @example Wildcards stay inside the host
 * ```ts
 * import { urlMatchesPattern } from "./http.ts";
 * import assert from "node:assert/strict";
 * const p = "https://*.example.com/*";
 * assert.equal(urlMatchesPattern("https://api.example.com/v1/config", p), true);
 * assert.equal(urlMatchesPattern("https://evil.com/.example.com/x", p), false);
 * assert.equal(urlMatchesPattern("https://example.com@evil.com/", p), false);
 * assert.equal(urlMatchesPattern("https://shop.bücher.example/", "https://*.bücher.example/*"), true);
 * ```
 */
export function urlMatchesPattern(url: string | URL, pattern: string): boolean {
  let target: URL;
  try {
    target = typeof url === "string" ? new URL(url) : url;
  } catch {
    return false;
  }
  const parsed = parsePattern(pattern);
  if (parsed === undefined) return false;
  if (target.protocol !== `${parsed.scheme}:`) return false;

  const userInfo = target.username === "" && target.password === ""
    ? ""
    : target.password === ""
    ? target.username
    : `${target.username}:${target.password}`;
  if (userInfo !== parsed.userInfo) return false;

  if (!wildcardRegExp(parsed.host, "[^/@:]*", "i").test(target.hostname)) return false;

  if (parsed.port !== "*") {
    const wanted = parsed.port === "" ? defaultPort(target.protocol) : parsed.port;
    const actual = target.port === "" ? defaultPort(target.protocol) : target.port;
    if (wanted !== actual) return false;
  }

  const path = parsed.path === "" ? "/" : parsed.path;
  return wildcardRegExp(path, "[\\s\\S]*", "").test(target.pathname + target.search);
}

interface ParsedPattern {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  path: string;
}

function parsePattern(pattern: string): ParsedPattern | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)$/.exec(pattern.trim());
  if (m === null) return undefined;
  const scheme = m[1]!.toLowerCase();
  let authority = m[2]!;
  const path = m[3]!;
  let userInfo = "";
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    userInfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
  }
  const portMatch = authority.startsWith("[")
    ? /^(\[[^\]]*\])(?::(\d+|\*))?$/.exec(authority)
    : /^([^:]*)(?::(\d+|\*))?$/.exec(authority);
  if (portMatch === null) return undefined;
  const host = portMatch[1]!;
  let port = portMatch[2] ?? "";
  if (host === "") return undefined;
  if (port !== "" && port !== "*") port = String(Number(port));
  const normalised = normaliseHost(host);
  if (normalised === undefined) return undefined;
  return { scheme, userInfo, host: normalised, port, path };
}

/** Stands for `*` while a pattern's host goes through URL parsing (a valid, unusual label). */
const WILDCARD_LABEL = "holoconf-wildcard-0";

/**
 * A pattern's host in the form `new URL` gives a request's host: lower case, IDN labels in
 * punycode. `undefined` when it is not a valid host, or a `*` sits in a non-ASCII label.
 */
function normaliseHost(host: string): string | undefined {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(host)) return host.toLowerCase();
  let hostname: string;
  try {
    hostname = new URL(`https://${host.split("*").join(WILDCARD_LABEL)}/`).hostname;
  } catch {
    return undefined;
  }
  const stars = host.split("*").length - 1;
  const labels = hostname.split(".");
  // A placeholder that ended up inside a punycode label was part of a non-ASCII label.
  if (labels.some((l) => l.startsWith("xn--") && l.includes(WILDCARD_LABEL))) return undefined;
  const restored = hostname.split(WILDCARD_LABEL);
  if (restored.length - 1 !== stars) return undefined;
  return restored.join("*");
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : protocol === "http:" ? "80" : "";
}

function wildcardRegExp(glob: string, star: string, flags: string): RegExp {
  const body = glob.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(star);
  return new RegExp(`^${body}$`, flags);
}

/**
 * Whether a URL passes an allowlist: an empty list allows everything.
 *
 * @param url The URL.
 * @param allowlist Patterns (see {@linkcode urlMatchesPattern}).
 * @returns `true` when allowed.
 *
 * @example
 * ```ts
 * import { isUrlAllowed } from "./http.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isUrlAllowed("https://a.example.com/x", []), true);
 * assert.equal(isUrlAllowed("https://a.example.com/x", ["https://b.example.com/*"]), false);
 * ```
 */
export function isUrlAllowed(url: string | URL, allowlist: readonly string[]): boolean {
  return allowlist.length === 0 || allowlist.some((p) => urlMatchesPattern(url, p));
}

/** The keyword arguments the http resolvers read (anything else is refused before a call). */
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

export { HTTP_SETTINGS } from "./_http_settings.ts";

/** `call.settings` of an http resolver, as {@linkcode HTTP_SETTINGS} declares it. */
interface HttpSettings {
  allow?: boolean;
  allowlist?: readonly string[];
  proxy?: string;
  proxyFromEnv?: boolean;
  caBundle?: string;
  extraCaBundle?: string;
  clientCert?: string;
  clientKey?: string;
  clientKeyPassword?: string;
}

function settingsOf(call: ResolverCall): HttpSettings {
  return call.settings as HttpSettings;
}

/**
 * Creates the resolver for one scheme: `${https:host/path}` fetches `https://host/path`
 * (a leading `http://`, `https://` or `//` in the argument is replaced by this scheme).
 *
 * Keyword arguments: `timeout` (seconds, default 30), `header=Name:Value` (repeatable),
 * `parse` (`text` default, `binary` for bytes), `proxy`, `ca_bundle`, `extra_ca_bundle`,
 * `client_cert`, `client_key`, `key_password`, `insecure=true`. TLS values are a file path when
 * a file exists there (relative to the defining file's directory), else PEM text; such paths are
 * read inside the file roots only, as `${file:}` reads them. A `proxy=` must match the allowlist
 * (its `scheme://host:port/`). The program's settings ({@linkcode HTTP_SETTINGS}) are trusted:
 * neither check applies; keyword arguments win over them.
 * Redirects are followed hop by hop (allowlist checked before each hop, https → http refused);
 * a hop to another origin drops every `header=`. Another keyword, a second positional argument
 * (`,` in a URL must be quoted), `parse` other than `text`/`binary` or `insecure` other than
 * `true`/`false` is a ParseError.
 *
 * @param scheme The scheme this resolver fetches with.
 * @returns A resolver object.
 * @throws {ParseError} (from `resolve`) When the URL argument is missing or empty.
 * @throws {ResolverError} (from `resolve`) `HTTP_DISABLED`, `HTTP_NOT_ALLOWED` (URL, redirect or
 * proxy), `FILE_ACCESS_DENIED` (a TLS path outside the file roots), `HTTP_ERROR`.
 *
 * @example A disabled resolver explains how to enable it
 * ```ts
 * import { createHttpResolver } from "./http.ts";
 * import { ResolverError } from "../src/errors.ts";
 * import assert from "node:assert/strict";
 * const https = createHttpResolver("https");
 * const context = { baseDir: undefined, fileRoots: [], onWarning: () => {} };
 * const call = {
 *   args: ["example.com/app.yaml"], kwargs: {}, kwargsAll: [], signal: new AbortController().signal,
 *   path: "remote", config: { get: () => Promise.resolve(undefined), getSync: () => undefined },
 *   resolver: "https", source: undefined, sensitiveInput: false, context, settings: {},
 * };
 * await assert.rejects(
 *   async () => await https.resolve("example.com/app.yaml", call),
 *   (e) => e instanceof ResolverError && e.code === "HTTP_DISABLED",
 * );
 * ```
 */
export function createHttpResolver(scheme: "http" | "https"): ResolverObject {
  return {
    params: { keywords: HTTP_KEYWORDS },
    settingsSpec: [HTTP_SETTINGS],
    network: true,
    resolve: (key: string, call: ResolverCall): Promise<string | Uint8Array> =>
      resolveHttp(scheme, key, call),
    describe: describeHttp,
  };
}

/**
 * For `holoconf plan` (shared by `http` and `https`): one `GET` per distinct URL. The calls
 * fail unless the Config allows http.
 */
function describeHttp(calls: readonly PlannedCall[]): ResolverDescription {
  const urls = new Set<string>();
  const dynamic: number[] = [];
  const invalid: { call: number; reason: string }[] = [];
  calls.forEach((call, i) => {
    if (call.key === undefined) {
      dynamic.push(i);
      return;
    }
    const rest = call.key.replace(/^https?:\/\//, "").replace(/^\/\//, "");
    if (rest === "" || rest.startsWith("/")) {
      const reason = call.key === ""
        ? `${call.resolver.toUpperCase()} resolver requires a URL`
        : "Invalid URL syntax";
      invalid.push({ call: i, reason });
      return;
    }
    urls.add(`${call.resolver}://${rest}`);
  });
  const list = [...urls].sort(byText);
  const n = list.length;
  return {
    data: { urls: list, requests: n },
    summary: n === 0 ? [] : [{ text: `${plural(n, "URL", "URLs")} → ${n} GET`, detail: [] }],
    dynamic,
    invalid,
    permissions: [],
    needsAllowHttp: true,
  };
}

/**
 * The `http` resolver (`${http:host/path}` fetches `http://host/path`).
 *
 * @example Fetch a value from a local server (plain http must be enabled)
 * ```ts
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen: () => {} },
 *   () => new Response("v1.2.3"),
 * );
 * const url = `127.0.0.1:${server.addr.port}/version`;
 * const config = Config.loads(`version: \${http:${url}}\n`, { allowHttp: true });
 * assert.equal(await config.get("version"), "v1.2.3");
 * await server.shutdown();
 * ```
 */
export const httpResolver: ResolverObject = createHttpResolver("http");

/**
 * The `https` resolver (`${https:host/path}` fetches `https://host/path`).
 *
 * @example Remote fetches are off until the config allows them
 * ```ts
 * import { Config, ResolverError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const config = Config.loads("remote: ${https:config.example.com/app.yaml}\n");
 * await assert.rejects(config.get("remote"), (e: unknown) => {
 *   assert.ok(e instanceof ResolverError);
 *   assert.equal(e.code, "HTTP_DISABLED");
 *   assert.match(e.message, /allowHttp: true/);
 *   return true;
 * });
 * ```
 */
export const httpsResolver: ResolverObject = createHttpResolver("https");

async function resolveHttp(
  scheme: "http" | "https",
  key: string,
  call: ResolverCall,
): Promise<string | Uint8Array> {
  const name = (call.resolver === "" ? scheme : call.resolver).toUpperCase();

  // 1. An argument is needed.
  if (key === "") throw new ParseError(`${name} resolver requires a URL`);

  // 2. Normalise: one scheme prefix, then one `//`, then our own scheme.
  let rest = key.trim();
  const prefix = /^https?:\/\//i.exec(rest);
  if (prefix !== null) rest = rest.slice(prefix[0].length);
  if (rest.startsWith("//")) rest = rest.slice(2);
  if (rest.trim() === "") throw new ParseError(`${name} resolver requires a non-empty URL`);
  const written = `${scheme}://${rest}`;
  if (rest.startsWith("/")) {
    throw new ResolverError(`Invalid URL syntax: ${shown(written, call)}`, {
      detail: "The URL has no host",
      help: `Write the URL as \${${scheme}:host/path}`,
    });
  }

  // 3. Disabled unless allowed.
  const ctx = call.context;
  const settings = settingsOf(call);
  const allowlist = settings.allowlist ?? [];
  if (settings.allow !== true) {
    throw new ResolverError("HTTP resolver is disabled", {
      code: "HTTP_DISABLED",
      help: `${name} resolver is disabled. The URL specified by this config path cannot be ` +
        "fetched. Enable with { allowHttp: true } (allow_http in other holoconf bindings) or " +
        "--allow-http",
    });
  }

  let url: URL;
  try {
    url = new URL(written);
  } catch {
    throw new ResolverError(`Invalid URL syntax: ${shown(written, call)}`, {
      help: "Check the host name, port and characters of the URL",
    });
  }

  // 4. Allowlist.
  checkAllowlist(url, allowlist, call, undefined);

  // 5. Fetch.
  const timeoutSeconds = parseTimeout(call);
  let headers = parseHeaders(call);
  const binary = enumKwarg(call, "parse", ["text", "binary"], "text") === "binary";
  const options = await transportOptions(call);

  let transport: HttpTransport;
  try {
    transport = await openHttpTransport(options);
  } catch (e) {
    throw transportError(e, call);
  }
  for (const w of transport.warnings) warnOnce(ctx.onWarning, w);
  if (settings.proxyFromEnv !== true && options.proxy === undefined) {
    warnEnvProxyIgnoredOptOut(ctx.onWarning);
  }
  if (options.insecure) {
    ctx.onWarning(
      `WARNING: insecure=true disables TLS certificate verification for ` +
        `${shown(url.href, call)} (config path ${call.path}). The server's identity is not ` +
        "checked: never use this in production; pass the server's CA with ca_bundle instead.",
    );
  }

  const limited = timeLimited(call.signal, timeoutSeconds * 1000, {
    reason: () => new DOMException("Request timeout", "TimeoutError"),
  });
  const signal = limited.signal;
  let current = url;
  try {
    for (let hop = 0;; hop++) {
      const response = await transport.fetch(current.href, { headers, signal });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => {});
        const next = followRedirect(current, location, hop, url, call);
        checkAllowlist(next, allowlist, call, url);
        // Every header came from the config (`header=`), any of them may carry a secret: none
        // follows the request to another origin, and none comes back on a later hop.
        if (next.origin !== current.origin) headers = new Headers();
        current = next;
        continue;
      }
      if (response.status < 200 || response.status >= 300) {
        await response.body?.cancel().catch(() => {});
        throw httpError(current, call, `HTTP ${response.status}`, url);
      }
      const bytes = await readBody(response, current, url, call);
      return binary ? bytes : new TextDecoder().decode(bytes);
    }
  } catch (e) {
    if (e instanceof ResolverError) throw e;
    if (call.signal.aborted) throw call.signal.reason ?? e;
    if (limited.timedOut) {
      throw httpError(
        current,
        call,
        `Request timeout: no complete response within ${timeoutSeconds}s`,
        url,
        e,
      );
    }
    throw httpError(current, call, `Connection error: ${errorText(e, call)}`, url, e);
  } finally {
    limited.clear();
    await transport.close().catch(() => {});
  }
}

function checkAllowlist(
  url: URL,
  allowlist: readonly string[],
  call: ResolverCall,
  redirectedFrom: URL | undefined,
): void {
  if (isUrlAllowed(url, allowlist)) return;
  throw new ResolverError(`URL not in allowlist: ${shown(url.href, call)}`, {
    code: "HTTP_NOT_ALLOWED",
    ...(redirectedFrom === undefined
      ? {}
      : { detail: `Redirected from ${shown(redirectedFrom.href, call)}` }),
    help: `Allowed URL patterns: ${allowlist.join(", ")}. Add a matching pattern to ` +
      "the http setting allowlist (load option httpAllowlist; http_allowlist in other holoconf " +
      "bindings) to fetch this URL",
  });
}

function followRedirect(
  current: URL,
  location: string,
  hop: number,
  original: URL,
  call: ResolverCall,
): URL {
  if (hop >= MAX_REDIRECTS) {
    throw httpError(current, call, `Too many redirects (more than ${MAX_REDIRECTS})`, original);
  }
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw httpError(current, call, "Redirect to an invalid URL", original);
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw httpError(current, call, `Redirect to an unsupported scheme: ${next.protocol}`, original);
  }
  if (current.protocol === "https:" && next.protocol === "http:") {
    throw httpError(
      current,
      call,
      `Refused redirect from https to http: ${shown(next.href, call)}`,
      original,
    );
  }
  return next;
}

function httpError(
  url: URL,
  call: ResolverCall,
  detail: string,
  original: URL,
  cause?: unknown,
): ResolverError {
  const href = shown(url.href, call);
  const details = [detail];
  if (url.href !== original.href) details.push(`Redirected from ${shown(original.href, call)}`);
  return new ResolverError(`HTTP request failed: ${href}`, {
    code: "HTTP_ERROR",
    detail: details,
    help: `Check that the URL '${href}' is accessible and returns valid content`,
    ...(cause === undefined ? {} : { cause: causeFor(cause, call) }),
  });
}

/** The messages of an error and its nested causes (at most 4), without repeats. */
function chainText(e: unknown): string[] {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur !== undefined && cur !== null; i++) {
    const msg = cur instanceof Error ? cur.message : String(cur);
    if (msg !== "" && !parts.some((p) => p.includes(msg))) parts.push(msg);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts;
}

/** A fixed label for what kind of failure the runtime's text describes (never the text). */
function failureKind(e: unknown): string {
  const text = chainText(e).join(" ").toLowerCase();
  if (/certificate|tls|ssl|handshake/.test(text)) return "TLS error";
  if (/dns|lookup|resolve|not known|getaddrinfo|enotfound/.test(text)) {
    return "host name lookup failed";
  }
  if (/refused/.test(text)) return "connection refused";
  if (/reset|broken pipe|closed/.test(text)) return "connection closed";
  if (/timed? ?out/.test(text)) return "timed out";
  return "request failed";
}

/**
 * The message of a fetch failure (its nested causes included). When an input was sensitive,
 * none of the runtime's text (which names the URL, the host, the proxy...) is used: only the
 * error's name and a fixed label for its kind.
 */
function errorText(e: unknown, call: ResolverCall): string {
  if (call.sensitiveInput) {
    return `${errorName(e)} (${failureKind(e)}; details hidden because an input is sensitive)`;
  }
  return chainText(e).join(": ") || "request failed";
}

/**
 * Reads a response body up to {@linkcode MAX_RESPONSE_BYTES}: a larger declared length is
 * refused before reading, a longer stream as soon as it passes the limit. The body stream is
 * tied to the request's signal, so an abort or the timeout stops the read too.
 */
async function readBody(
  response: Response,
  url: URL,
  original: URL,
  call: ResolverCall,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new ResolverError(`HTTP response too large (> ${MAX_RESPONSE_BYTES} bytes)`, {
      code: "HTTP_ERROR",
      detail: [
        `URL: ${shown(url.href, call)}`,
        ...(url.href === original.href ? [] : [`Redirected from ${shown(original.href, call)}`]),
      ],
      help: `The http resolvers read responses of at most ${MAX_RESPONSE_BYTES} bytes (50 MiB)`,
    });
  const declared = Number(response.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(chunks, total);
}

const PROXY_ENV_NAMES = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"];
let envProxyWarned = false;

/**
 * Deno's `fetch` (and its HTTP clients) take a proxy from HTTP_PROXY/HTTPS_PROXY themselves,
 * whatever the `proxyFromEnv` setting (`httpProxyFromEnv`) says: with the opt-out set, no proxy configured and such a
 * variable present, the option cannot be honoured, so say so (once per process).
 */
function warnEnvProxyIgnoredOptOut(onWarning: (message: string) => void): void {
  if (envProxyWarned || runtimeName() !== "deno") return;
  const names = PROXY_ENV_NAMES.filter((n) => getEnv(n)?.trim());
  if (names.length === 0) return;
  envProxyWarned = true;
  onWarning(
    `WARNING: httpProxyFromEnv is false, but Deno's fetch uses the proxy in ${
      names.join("/")
    } from the environment anyway. To connect directly, unset it or list the hosts in ` +
      "NO_PROXY; to use a proxy on purpose, pass proxy= or the http setting proxy (httpProxy).",
  );
}

const warnedOnce = new WeakMap<(message: string) => void, Set<string>>();

/** Passes a runtime limitation on once per warning channel, not on every request. */
function warnOnce(onWarning: (message: string) => void, message: string): void {
  let seen = warnedOnce.get(onWarning);
  if (seen === undefined) {
    seen = new Set();
    warnedOnce.set(onWarning, seen);
  }
  if (seen.has(message)) return;
  seen.add(message);
  onWarning(message);
}

function parseTimeout(call: ResolverCall): number {
  const raw = call.kwargs.timeout;
  if (raw === undefined || raw.trim() === "") return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ResolverError(`Invalid timeout: ${shown(raw, call)}`, {
      code: "HTTP_ERROR",
      help: "timeout= takes a positive number of seconds, e.g. timeout=10",
    });
  }
  return seconds;
}

function parseHeaders(call: ResolverCall): Headers {
  const headers = new Headers();
  let index = 0;
  for (const [k, v] of call.kwargsAll) {
    if (k !== "header") continue;
    index++;
    const colon = v.indexOf(":");
    const headerName = colon < 0 ? "" : v.slice(0, colon).trim();
    if (headerName === "") {
      throw new ResolverError(`Invalid header argument #${index}`, {
        code: "HTTP_ERROR",
        help: "Write headers as header=Name:Value (e.g. header=Accept:application/json)",
      });
    }
    try {
      headers.append(headerName, v.slice(colon + 1).trim());
    } catch (e) {
      throw new ResolverError(
        `Invalid header argument #${index}: ${shown(headerName, call)}`,
        {
          code: "HTTP_ERROR",
          detail: "The name or value has characters a header cannot carry",
          cause: causeFor(e, call),
        },
      );
    }
  }
  return headers;
}

/**
 * A TLS/proxy value: the kwarg when given (config text: read inside the file roots), else the
 * setting (given by the program: trusted, relative paths against the working directory).
 */
interface OptionValue {
  value: string;
  /** `true` for a setting, `false` for a keyword argument written in the config. */
  trusted: boolean;
}

function option(
  call: ResolverCall,
  kwarg: string,
  fromSettings: string | undefined,
): OptionValue | undefined {
  const given = call.kwargs[kwarg];
  if (given !== undefined && given.trim() !== "") return { value: given, trusted: false };
  if (fromSettings !== undefined && fromSettings.trim() !== "") {
    return { value: fromSettings, trusted: true };
  }
  return undefined;
}

async function transportOptions(call: ResolverCall): Promise<HttpTransportOptions> {
  const settings = settingsOf(call);
  const result: HttpTransportOptions = {};

  const proxy = proxySetting(call);
  if (proxy !== undefined) {
    if (!proxy.trusted) checkProxyAllowed(new URL(proxy.url), settings.allowlist ?? [], call);
    result.proxy = proxy.url;
  }

  const ca = option(call, "ca_bundle", settings.caBundle);
  const extra = option(call, "extra_ca_bundle", settings.extraCaBundle);
  if (ca !== undefined) result.caCerts = await loadCertificates(ca, call);
  else if (extra !== undefined) result.extraCaCerts = await loadCertificates(extra, call);

  const cert = option(call, "client_cert", settings.clientCert);
  const key = option(call, "client_key", settings.clientKey);
  const password = call.kwargs.key_password ?? settings.clientKeyPassword;
  if (cert !== undefined && PKCS12_PATH_REGEXP.test(cert.value.trim())) {
    result.pfx = await loadPkcs12(cert, call);
    result.passphrase = password ?? "";
  } else if (cert !== undefined) {
    if (key === undefined) {
      throw new ResolverError(
        "client_key required when using PEM certificate (not needed for P12)",
        {
          code: "HTTP_ERROR",
          help: "Pass the client's private key with client_key= (or the http setting clientKey)",
        },
      );
    }
    result.cert = (await loadCertificates(cert, call)).join("\n");
    const keyText = await loadPrivateKey(key, call);
    result.key = keyText;
    if (ENCRYPTED_KEY_REGEXP.test(keyText)) {
      if (password === undefined) {
        throw new ResolverError("Failed to decrypt private key: key_password is required", {
          code: "HTTP_ERROR",
          detail: "The client key is encrypted",
          help:
            "Pass the key's password with key_password= (or the http setting clientKeyPassword)",
        });
      }
      result.passphrase = password;
    }
  } else if (key !== undefined) {
    throw new ResolverError("client_cert required when using client_key", {
      code: "HTTP_ERROR",
      help: "Pass the client certificate with client_cert= (or the http setting clientCert)",
    });
  }

  if (boolKwarg(call, "insecure", false)) result.insecure = true;
  return result;
}

/** The proxy URL (scheme added) and whether it came from the program rather than the config. */
function proxySetting(call: ResolverCall): { url: string; trusted: boolean } | undefined {
  const settings = settingsOf(call);
  const fromConfig = call.kwargs.proxy?.trim() || undefined;
  let raw = fromConfig ?? (settings.proxy?.trim() || undefined);
  if (raw === undefined && settings.proxyFromEnv === true) {
    for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
      const v = getEnv(name)?.trim();
      if (v) {
        raw = v;
        break;
      }
    }
  }
  if (raw === undefined) return undefined;
  const withScheme = raw.includes("://") ? raw : `http://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    parsed = new URL("invalid://");
  }
  if (!PROXY_SCHEMES.includes(parsed.protocol) || parsed.hostname === "") {
    // Never echo the proxy URL: it may carry credentials.
    throw new ResolverError("Proxy configuration error: Invalid proxy URL", {
      code: "HTTP_ERROR",
      help: "Use http://host:port, https://host:port or socks5://host:port",
    });
  }
  return { url: withScheme, trusted: fromConfig === undefined };
}

/**
 * A proxy named in the config (`proxy=`) receives the request, so it must be allowed like any
 * URL the request reaches: its `scheme://host:port/` (credentials left out) must match an
 * allowlist pattern. Proxies set by the program (settings `proxy`, `proxyFromEnv`) are trusted.
 */
function checkProxyAllowed(proxy: URL, allowlist: readonly string[], call: ResolverCall): void {
  const origin = `${proxy.protocol}//${proxy.host}`;
  if (isUrlAllowed(`${origin}/`, allowlist)) return;
  throw new ResolverError(`Proxy not in allowlist: ${shown(origin, call)}`, {
    code: "HTTP_NOT_ALLOWED",
    help: `A proxy named with proxy= must match an allowlist pattern (e.g. ` +
      `${shown(`${origin}/*`, call)}), as every URL a request reaches; or set it from the ` +
      `program with the http setting proxy. Allowed URL patterns: ${allowlist.join(", ")}`,
  });
}

interface LoadedFile {
  text: string;
  /** What messages call it: the path, or `(PEM text)`. */
  label: string;
}

const SANDBOX_HELP = "TLS files named in the config (ca_bundle, extra_ca_bundle, client_cert, " +
  "client_key) are read as ${file:} reads files: only inside the file roots (the loaded files' " +
  "directories, basePath, fileRoots). Move the file there, add its directory to fileRoots, or " +
  "pass it from the program with the http settings caBundle, extraCaBundle, clientCert or " +
  "clientKey";

/**
 * Reads a file named in config text through the `file` resolver, so the file sandbox applies
 * exactly as for `${file:}`: file roots required, canonical path inside a root, regular file,
 * size limit. `undefined` when nothing exists at the path (the value may then be PEM text).
 *
 * @param value The path as written (relative to the defining file's directory).
 * @param what `PEM` or `PKCS#12`, for messages.
 * @param secret The file holds key material: its path is only shown when a file exists there.
 */
async function readSandboxedFile(
  value: string,
  call: ResolverCall,
  what: string,
  secret: boolean,
): Promise<Uint8Array | undefined> {
  const path = value.trim();
  const fileCall: ResolverCall = {
    ...call,
    args: [path],
    kwargs: { encoding: "binary" },
    kwargsAll: [["encoding", "binary"]],
    resolver: "file",
    sensitiveInput: call.sensitiveInput || secret,
  };
  let bytes: unknown;
  try {
    bytes = await fileResolver.resolve(path, fileCall);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    const denied = e instanceof HoloconfError && e.code === "FILE_ACCESS_DENIED";
    const reason = denied
      ? "outside the file roots"
      : call.context.fileRoots.length === 0
      ? "no file roots to read it from"
      : "cannot read it";
    const label = secret && !denied ? "(client_key)" : path;
    throw new ResolverError(`Failed to load ${what} file '${shown(label, call)}': ${reason}`, {
      code: denied ? "FILE_ACCESS_DENIED" : "HTTP_ERROR",
      detail: e instanceof HoloconfError ? [e.headline] : [],
      help: SANDBOX_HELP,
      cause: secret ? redactedCause(e) : causeFor(e, call),
    });
  }
  if (bytes instanceof Uint8Array) return bytes;
  throw new ResolverError(`Failed to load ${what} file '${shown(path, call)}': cannot read it`, {
    code: "HTTP_ERROR",
  });
}

/** Reads a path-or-PEM value: a file when one exists at the path, else the text itself. */
async function readPathOrText(
  input: OptionValue,
  call: ResolverCall,
  secret: boolean,
): Promise<LoadedFile> {
  const value = input.value;
  const inlineLabel = "(PEM text)";
  if (value.includes("-----BEGIN")) return { text: value, label: inlineLabel };
  if (!input.trusted) {
    const bytes = await readSandboxedFile(value, call, "PEM", secret);
    if (bytes !== undefined) return { text: new TextDecoder().decode(bytes), label: value };
  } else {
    const path = resolvePath(cwd(), value.trim());
    let isFile = false;
    try {
      isFile = statSync(path)?.isFile === true;
    } catch (e) {
      if (e instanceof RuntimeFileError && e.permissionDenied) {
        throw new ResolverError(
          `Failed to load PEM file '${shown(value, call)}': permission denied`,
          {
            code: "HTTP_ERROR",
            cause: causeFor(e, call),
          },
        );
      }
    }
    if (isFile) {
      try {
        return { text: new TextDecoder().decode(readFileSync(path)), label: value };
      } catch (e) {
        throw new ResolverError(
          `Failed to load PEM file '${shown(value, call)}': cannot read it`,
          {
            code: "HTTP_ERROR",
            cause: causeFor(e, call),
          },
        );
      }
    }
  }
  // Neither a file nor PEM: name it when it looks like a path, never when it may be key material.
  const looksLikePath = !secret && !value.includes("\n") && value.length <= 256;
  return { text: value, label: looksLikePath ? value : inlineLabel };
}

async function loadCertificates(input: OptionValue, call: ResolverCall): Promise<string[]> {
  const file = await readPathOrText(input, call, false);
  const blocks = file.text.match(CERTIFICATE_REGEXP);
  if (blocks === null) {
    throw new ResolverError(
      `Failed to load PEM file '${
        shown(file.label, call)
      }': No valid certificates found in PEM data`,
      {
        code: "HTTP_ERROR",
        help: "Pass a path to an existing PEM file, or PEM text with a " +
          "-----BEGIN CERTIFICATE----- block",
      },
    );
  }
  return [...blocks];
}

async function loadPrivateKey(input: OptionValue, call: ResolverCall): Promise<string> {
  const file = await readPathOrText(input, call, true);
  const block = PRIVATE_KEY_REGEXP.exec(file.text);
  if (block === null) {
    throw new ResolverError(
      `Failed to load PEM file '${
        shown(file.label, call)
      }': No valid private key found in PEM data`,
      {
        code: "HTTP_ERROR",
        help: "Pass a path to an existing PEM key file, or PEM text with a " +
          "-----BEGIN PRIVATE KEY----- block",
      },
    );
  }
  // Legacy encrypted PEM keys carry their Proc-Type headers inside the block: keep it whole.
  return block[0];
}

async function loadPkcs12(input: OptionValue, call: ResolverCall): Promise<Uint8Array> {
  const written = input.value.trim();
  const notFound = (cause?: unknown) =>
    new ResolverError(
      `Failed to load PKCS#12 file '${shown(written, call)}': file not found`,
      { code: "HTTP_ERROR", ...(cause === undefined ? {} : { cause: causeFor(cause, call) }) },
    );
  if (!input.trusted) {
    const bytes = await readSandboxedFile(written, call, "PKCS#12", false);
    if (bytes === undefined) throw notFound();
    return bytes;
  }
  try {
    return readFileSync(resolvePath(cwd(), written));
  } catch (e) {
    if (e instanceof RuntimeFileError && e.notFound) throw notFound(e);
    throw new ResolverError(
      `Failed to load PKCS#12 file '${shown(written, call)}': cannot read it`,
      {
        code: "HTTP_ERROR",
        cause: causeFor(e, call),
      },
    );
  }
}

function transportError(e: unknown, call: ResolverCall): ResolverError {
  if (e instanceof HttpOptionUnsupportedError) {
    return new ResolverError(`${e.option} is not supported on ${e.runtime}`, {
      code: "HTTP_ERROR",
      help: e.hint,
    });
  }
  if (e instanceof HttpTransportSetupError) {
    return new ResolverError("TLS/proxy configuration error", {
      code: "HTTP_ERROR",
      detail: call.sensitiveInput ? [] : [e.message],
      help: "Check that the proxy URL and the ca_bundle, extra_ca_bundle, client_cert and " +
        "client_key values hold valid data",
      cause: causeFor(e, call),
    });
  }
  return new ResolverError("TLS/proxy configuration error", {
    code: "HTTP_ERROR",
    cause: causeFor(e, call),
  });
}
