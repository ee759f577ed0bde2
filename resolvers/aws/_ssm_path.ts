// `${ssm:/app/prod/}` (private): every parameter under a path as one mapping, read with
// GetParametersByPath (its pages followed), names relative to the path. The ssm resolver sends
// the pages (either transport) and makes each parameter's value; this module follows the pages and
// builds the mapping.

import { NotFoundError, ResolverError } from "../../src/errors.ts";
import { setDataProperty } from "../_args.ts";

/** Parameters per `GetParametersByPath` page (the AWS limit). */
export const PARAMETERS_PER_PAGE = 10;

/** Pages followed at most for one path (100,000 parameters: an advanced-tier account's limit). */
const MAX_PAGES = 10_000;

/** What is read of one parameter (either transport). */
export interface PathParameter {
  /** Full name, e.g. `/app/prod/db/host`. */
  Name?: string | undefined;
  /** `String`, `StringList` or `SecureString`. */
  Type?: string | undefined;
  /** The value (decrypted). */
  Value?: string | undefined;
}

/** One page of a `GetParametersByPath` answer. */
export interface PathPage {
  /** The page's parameters. */
  Parameters?: PathParameter[] | undefined;
  /** Where the next page starts; absent on the last. */
  NextToken?: string | undefined;
}

/**
 * Whether an `ssm` argument names a path (a trailing `/`: no parameter name ends with one).
 *
 * @param key The argument.
 * @returns Whether it is a path.
 */
export function isPath(key: string): boolean {
  return key.endsWith("/");
}

/**
 * The `Path` a path argument asks AWS for: the argument without its trailing `/` (`/` itself
 * stays).
 *
 * @param key A path argument (`/app/prod/`).
 * @returns The request's `Path` (`/app/prod`).
 */
export function requestPath(key: string): string {
  return key === "/" ? key : key.replace(/\/+$/, "");
}

/**
 * Reads every parameter under a path and builds the mapping: names relative to the path, each
 * `/` below it one level of nesting (only with `recursive`; otherwise AWS answers the direct
 * children alone).
 *
 * @param key The path argument as written (`/app/prod/`), for names and messages.
 * @param options How to fetch a page, how to make a parameter's value, and the path as shown in
 *   messages (`[REDACTED]` for a path computed from a secret).
 * @returns The mapping.
 * @throws {NotFoundError} When no parameter is under the path (so `default=` applies).
 * @throws {ResolverError} When a name is both a parameter and the path of others (it cannot be
 *   a value and a mapping at once), or AWS keeps answering with the same page token.
 */
export async function readPath(
  key: string,
  options: {
    fetchPage(nextToken: string | undefined): Promise<PathPage>;
    valueOf(parameter: PathParameter): unknown;
    shownPath: string;
  },
): Promise<Record<string, unknown>> {
  const parameters: PathParameter[] = [];
  const tokens = new Set<string>();
  let token: string | undefined;
  for (let page = 0;; page++) {
    if (page === MAX_PAGES) {
      throw new ResolverError(
        `SSM path ${options.shownPath} holds more than ${
          MAX_PAGES * PARAMETERS_PER_PAGE
        } parameters`,
        { help: "Read a narrower path" },
      );
    }
    const out = await options.fetchPage(token);
    if (Array.isArray(out.Parameters)) parameters.push(...out.Parameters);
    token = typeof out.NextToken === "string" && out.NextToken !== "" ? out.NextToken : undefined;
    if (token === undefined) break;
    if (tokens.has(token)) {
      throw new ResolverError(
        `SSM answered the same page token twice for path ${options.shownPath}`,
        { code: "AWS_ERROR" },
      );
    }
    tokens.add(token);
  }
  const prefix = key.endsWith("/") ? key : `${key}/`;
  const found = parameters
    .filter((p) => typeof p.Name === "string" && p.Name.startsWith(prefix) && p.Name !== prefix)
    .sort((a, b) => (a.Name! < b.Name! ? -1 : a.Name! > b.Name! ? 1 : 0));
  if (found.length === 0) {
    throw new NotFoundError(`No SSM parameter under path ${options.shownPath}`, {
      resource: options.shownPath,
      help: `Check the path, or give a fallback: \${ssm:${options.shownPath},default=value}`,
    });
  }
  const root: Record<string, unknown> = {};
  /** The relative names of the parameters placed so far. */
  const leaves = new Set<string>();
  for (const p of found) {
    const relative = p.Name!.slice(prefix.length);
    const segments = relative.split("/").filter((s) => s !== "");
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const here = segments.slice(0, i + 1).join("/");
      const last = i === segments.length - 1;
      if (leaves.has(here) || (last && Object.hasOwn(node, segment))) {
        throw new ResolverError(
          `SSM path ${options.shownPath}: '${here}' is a parameter and the path of others`,
          {
            help: "A name cannot be a value and a mapping at once: read the deeper parameters " +
              `with their own path (\${ssm:${options.shownPath}${here}/,recursive=true})`,
          },
        );
      }
      if (last) {
        setDataProperty(node, segment, options.valueOf(p));
        leaves.add(here);
      } else {
        let next = Object.hasOwn(node, segment) ? node[segment] : undefined;
        if (next === undefined) {
          next = {};
          setDataProperty(node, segment, next);
        }
        node = next as Record<string, unknown>;
      }
    }
  }
  return root;
}
