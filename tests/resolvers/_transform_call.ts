// Builds ResolverCall objects for the file and transformation resolver tests.

import type { ResolverCall, ResolverContext } from "../../src/resolver.ts";

/** Options of {@linkcode makeCall}. */
export interface MakeCallOptions {
  args?: (string | Uint8Array)[];
  kwargs?: Record<string, string>;
  sensitiveInput?: boolean;
  context?: Partial<ResolverContext>;
  resolver?: string;
}

/** A complete ResolverCall with harmless defaults. */
export function makeCall(options: MakeCallOptions = {}): ResolverCall {
  const kwargs = options.kwargs ?? {};
  const context: ResolverContext = {
    baseDir: undefined,
    fileRoots: [],
    allowHttp: false,
    httpAllowlist: [],
    httpProxy: undefined,
    httpProxyFromEnv: false,
    httpCaBundle: undefined,
    httpExtraCaBundle: undefined,
    httpClientCert: undefined,
    httpClientKey: undefined,
    httpClientKeyPassword: undefined,
    onWarning: () => {},
    ...options.context,
  };
  return {
    args: options.args ?? [],
    kwargs,
    kwargsAll: Object.entries(kwargs),
    signal: new AbortController().signal,
    path: "value",
    config: {
      get: () => Promise.reject(new Error("not used")),
      getSync: () => {
        throw new Error("not used");
      },
    },
    resolver: options.resolver ?? "test",
    source: undefined,
    sensitiveInput: options.sensitiveInput ?? false,
    context,
  };
}

/** Calls `fn` and returns what it threw (fails when it does not throw). */
export async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error("expected an error, but the call succeeded");
}
