// The settings the http and https resolvers declare (`settingsSpec`), as data: read by the
// resolvers and by the catalogue, which declares them for resolvers that are not loaded yet.

import type { ResolverSettingsSpec } from "../src/resolver.ts";

/**
 * The settings of the `http` and `https` resolvers (group `http`), given by the program: per
 * process with `configureResolver("http", ...)`, per Config with `resolverSettings.http` (or
 * the `allowHttp`, `httpAllowlist`, ... load options). Trusted: TLS paths are read wherever
 * they are, a proxy need not match the allowlist. `proxy`, `clientKey` and
 * `clientKeyPassword` are secrets (a proxy URL may carry credentials).
 *
 * - `allow` (boolean): enable the resolvers (off by default).
 * - `allowlist` (string[]): URL patterns allowed (empty: any; see `urlMatchesPattern` in `http.ts`).
 * - `proxy` (string): proxy URL; `proxyFromEnv` (boolean): else take `HTTPS_PROXY`/`HTTP_PROXY`.
 * - `caBundle` / `extraCaBundle` (string): CA bundle replacing / added to the default roots.
 * - `clientCert`, `clientKey`, `clientKeyPassword` (string): client identity (path or PEM text;
 *   a `.p12`/`.pfx` certificate path needs no key).
 *
 * @example
 * ```ts
 * import { HTTP_SETTINGS } from "./_http_settings.ts";
 * import assert from "node:assert/strict";
 * assert.equal(HTTP_SETTINGS.key, "http");
 * assert.equal(HTTP_SETTINGS.fields.clientKeyPassword?.secret, true);
 * ```
 */
export const HTTP_SETTINGS: ResolverSettingsSpec = Object.freeze<ResolverSettingsSpec>({
  key: "http",
  fields: Object.freeze<ResolverSettingsSpec["fields"]>({
    allow: { type: "boolean" },
    allowlist: { type: "string[]" },
    proxy: { type: "string", secret: true },
    proxyFromEnv: { type: "boolean" },
    caBundle: { type: "string" },
    extraCaBundle: { type: "string" },
    clientCert: { type: "string" },
    clientKey: { type: "string", secret: true },
    clientKeyPassword: { type: "string", secret: true },
  }),
});
