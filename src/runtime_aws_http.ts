/**
 * The runtime-specific half of the light AWS transport: sends one request and reads the whole
 * answer, with no redirect followed and nothing decompressed.
 *
 * - Node: `node:http` / `node:https` with one keep-alive agent per protocol (made on first use).
 *   Node's first `fetch` loads undici, which costs 40–60 ms in a fresh process against ≈ 10 ms
 *   for `node:http` (see docs/aws-transport.md).
 * - Deno, Bun and edge runtimes: the global `fetch` (native there).
 *
 * A failure to connect or to read the answer is an {@linkcode HttpConnectionError} whose `code`
 * says what happened (`ECONNREFUSED`, `ECONNRESET`, ...) and whose text names the origin only,
 * never the path or the query of the URL. An abort rejects with the signal's reason. Nothing
 * here runs or imports anything at module load time.
 *
 * @module
 */

import { concatBytes } from "./_bytes.ts";
import { nodeBuiltin, runtimeName } from "./runtime.ts";

/** One request to send. */
export interface AwsHttpRequest {
  /** `GET` or `POST`. */
  method: string;
  /** Absolute `http:` or `https:` URL. */
  url: string;
  /** Headers to send as they are (a `host` header must match the URL's host). */
  headers: Record<string, string>;
  /** Request body. */
  body?: string | Uint8Array | undefined;
  /** Aborts the request and the reading of its answer. */
  signal: AbortSignal;
}

/** The whole answer. */
export interface AwsHttpResponse {
  /** HTTP status. */
  status: number;
  /** Headers, names in lower case (repeated headers joined with `, `). */
  headers: Record<string, string>;
  /** The body's bytes. */
  body: Uint8Array;
}

/** Sends one request. */
export type AwsHttpSend = (request: AwsHttpRequest) => Promise<AwsHttpResponse>;

/**
 * The connection failed, or broke before the whole answer was read.
 *
 * @example
 * ```ts
 * import { HttpConnectionError } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * const e = new HttpConnectionError("ECONNRESET", "https://ssm.us-east-1.amazonaws.com");
 * assert.equal(e.name, "ECONNRESET");
 * assert.equal(e.message, "ECONNRESET: the connection to https://ssm.us-east-1.amazonaws.com failed");
 * ```
 */
export class HttpConnectionError extends Error {
  /** What happened: `ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `ENOTFOUND`, ... or `NetworkError`. */
  code: string;

  /**
   * Names what happened and where.
   *
   * @param code The error code (also the error's `name`, as the AWS SDK shows them).
   * @param origin The URL's origin (never its path or query).
   * @param reason More text from the runtime, already free of the URL's path and query.
   */
  constructor(code: string, origin: string, reason?: string) {
    super(
      `${code}: the connection to ${origin} failed` +
        (reason === undefined || reason === "" ? "" : ` (${reason})`),
    );
    this.name = code;
    this.code = code;
  }
}

/**
 * The sender for the current runtime: `node:http(s)` on Node, `fetch` elsewhere.
 *
 * @returns The sender.
 *
 * @example Deno sends with fetch
 * ```ts
 * import { awsHttpSender, sendWithFetch } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * assert.equal(awsHttpSender(), sendWithFetch);
 * ```
 */
export function awsHttpSender(): AwsHttpSend {
  return onNodeItself() && nodeBuiltin("node:http") !== undefined
    ? sendWithNodeHttp
    : sendWithFetch;
}

/**
 * Whether this is Node itself, where `node:` built-ins start faster than the web APIs (`fetch`,
 * WebCrypto); not Bun, which reports a Node version too but whose web APIs are native.
 *
 * @returns `true` on Node.
 *
 * @example
 * ```ts
 * import { onNodeItself } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * assert.equal(onNodeItself(), false); // this example runs on Deno
 * ```
 */
export function onNodeItself(): boolean {
  // deno-lint-ignore no-explicit-any
  return runtimeName() === "node" && (globalThis as any).process?.versions?.bun === undefined;
}

/** The text of a thrown value and its causes, with every copy of `url` replaced by its origin. */
function reasonOf(err: unknown, url: URL): string {
  const parts: string[] = [];
  try {
    let current: unknown = err;
    for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
      const m = (current as { message?: unknown }).message;
      parts.push(typeof m === "string" ? m : String(current));
      current = (current as { cause?: unknown }).cause;
    }
  } catch {
    // a value that cannot be read: what was gathered so far
  }
  let text = parts.filter((p) => p !== "").join(": ");
  const withoutQuery = url.href.split("?")[0]!;
  for (const form of [url.href, withoutQuery, url.pathname + url.search]) {
    if (form !== "/" && form !== "") text = text.split(form).join(url.origin);
  }
  return text;
}

/** The code of a `fetch` failure, read from the runtime's text (fetch gives no codes). */
function fetchFailureCode(text: string): string {
  if (/refused/i.test(text)) return "ECONNREFUSED";
  if (/reset|broken pipe|closed before|connection closed|unexpected eof/i.test(text)) {
    return "ECONNRESET";
  }
  if (/dns|resolve|lookup|not known/i.test(text)) return "ENOTFOUND";
  if (/timed out/i.test(text)) return "ETIMEDOUT";
  return "NetworkError";
}

/**
 * Sends with the global `fetch` (Deno, Bun, edge runtimes); redirects are not followed.
 *
 * @param request The request.
 * @returns The whole answer.
 * @throws {HttpConnectionError} When the connection fails or breaks.
 * @throws {unknown} The signal's reason when it aborts.
 *
 * @example A refused connection names its code
 * ```ts
 * import { HttpConnectionError, sendWithFetch } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (server.addr as Deno.NetAddr).port;
 * server.close();
 * await assert.rejects(
 *   sendWithFetch({ method: "GET", url: `http://127.0.0.1:${port}/secret-name`, headers: {},
 *     signal: new AbortController().signal }),
 *   (e: unknown) => e instanceof HttpConnectionError && e.code === "ECONNREFUSED" &&
 *     !e.message.includes("secret-name"),
 * );
 * ```
 */
export async function sendWithFetch(request: AwsHttpRequest): Promise<AwsHttpResponse> {
  const url = new URL(request.url);
  // fetch sets Host and Content-Length itself (from the URL and the body).
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    const lower = k.toLowerCase();
    if (lower !== "host" && lower !== "content-length") headers[k] = v;
  }
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      ...(request.body === undefined
        ? {}
        : { body: request.body as NonNullable<RequestInit["body"]> }),
      redirect: "manual",
      signal: request.signal,
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return { status: response.status, headers: out, body };
  } catch (err) {
    if (request.signal.aborted) throw request.signal.reason;
    const reason = reasonOf(err, url);
    throw new HttpConnectionError(fetchFailureCode(reason), url.origin, reason);
  }
}

// Structural types of the few Node APIs used here (no `node:` types at module level).
interface NodeIncoming {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end", listener: () => void): void;
  on(event: "error" | "aborted", listener: (err?: unknown) => void): void;
}

interface NodeClientRequest {
  on(event: "error", listener: (err: unknown) => void): void;
  destroy(err?: unknown): void;
  end(body?: string | Uint8Array): void;
}

interface NodeHttpModule {
  Agent: new (options: { keepAlive: boolean }) => unknown;
  request(
    url: URL,
    options: { method: string; headers: Record<string, string>; agent: unknown },
    callback: (res: NodeIncoming) => void,
  ): NodeClientRequest;
}

const agents = new Map<string, unknown>();

/**
 * Closes the kept-alive connections of `node:http(s)` (their agents are made again on the next
 * request). `fetch` keeps its own pool, which the runtime manages.
 *
 * @returns How many agents were closed.
 *
 * @example
 * ```ts
 * import { closeAwsConnections, sendWithNodeHttp } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (server.addr as Deno.NetAddr).port;
 * server.close();
 * await sendWithNodeHttp({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: {},
 *   signal: new AbortController().signal }).catch(() => {});
 * assert.equal(closeAwsConnections(), 1); // the http: agent
 * assert.equal(closeAwsConnections(), 0);
 * ```
 */
export function closeAwsConnections(): number {
  const closed = agents.size;
  for (const agent of agents.values()) (agent as { destroy?: () => void }).destroy?.();
  agents.clear();
  return closed;
}

/** The keep-alive agent of `protocol` (Node unreferences idle sockets: no exit is held up). */
function agentFor(protocol: string, module: NodeHttpModule): unknown {
  let agent = agents.get(protocol);
  if (agent === undefined) {
    agent = new module.Agent({ keepAlive: true });
    agents.set(protocol, agent);
  }
  return agent;
}

/**
 * Sends with `node:http` / `node:https` and a keep-alive agent per protocol (Node; also works on
 * Deno, which the tests use).
 *
 * @param request The request.
 * @returns The whole answer.
 * @throws {HttpConnectionError} When the connection fails or breaks.
 * @throws {unknown} The signal's reason when it aborts.
 *
 * @example A refused connection names its code
 * ```ts
 * import { HttpConnectionError, sendWithNodeHttp } from "./runtime_aws_http.ts";
 * import assert from "node:assert/strict";
 * const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (server.addr as Deno.NetAddr).port;
 * server.close();
 * await assert.rejects(
 *   sendWithNodeHttp({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: {},
 *     signal: new AbortController().signal }),
 *   (e: unknown) => e instanceof HttpConnectionError && e.code === "ECONNREFUSED",
 * );
 * ```
 */
export function sendWithNodeHttp(request: AwsHttpRequest): Promise<AwsHttpResponse> {
  const url = new URL(request.url);
  const module = nodeBuiltin<NodeHttpModule>(
    url.protocol === "https:" ? "node:https" : "node:http",
  );
  if (module === undefined) {
    return Promise.reject(
      new HttpConnectionError("NetworkError", url.origin, "node:http is not available"),
    );
  }
  const { signal } = request;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<AwsHttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      fn();
    };
    const fail = (err: unknown) =>
      finish(() => {
        if (signal.aborted) return reject(signal.reason);
        const code = typeof (err as { code?: unknown })?.code === "string"
          ? (err as { code: string }).code
          : "ECONNRESET";
        reject(new HttpConnectionError(code, url.origin, reasonOf(err, url)));
      });
    const req = module.request(
      url,
      { method: request.method, headers: request.headers, agent: agentFor(url.protocol, module) },
      (res) => {
        const chunks: Uint8Array[] = [];
        let total = 0;
        res.on("data", (chunk) => {
          chunks.push(chunk);
          total += chunk.length;
        });
        res.on("error", fail);
        res.on("aborted", () => fail({ code: "ECONNRESET", message: "the answer was cut" }));
        res.on("end", () =>
          finish(() => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) {
                headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
              }
            }
            resolve({ status: res.statusCode ?? 0, headers, body: concatBytes(chunks, total) });
          }));
      },
    );
    const onAbort = () => {
      finish(() => reject(signal.reason));
      req.destroy(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", fail);
    req.end(request.body);
  });
}
