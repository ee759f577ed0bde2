/**
 * A loopback fake of the container credentials endpoint (ECS task roles, Lambda SnapStart, EKS
 * Pod Identity): `GET <path>` answers `{ AccessKeyId, SecretAccessKey, Token, Expiration }`.
 *
 * It checks the `Authorization` header against `token` (a wrong or missing one is HTTP 401 with
 * `{ code, message }`, as the agents answer), hands out the credential sets in turn (the last one
 * repeats), can fail the next N fetches with HTTP 500, and can hold answers until `releaseAll()`
 * (to test that concurrent callers share one fetch).
 *
 * @module
 */

/** One set of credentials to hand out. */
export interface ContainerCredentialSet {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token. */
  token: string;
  /** Expiry, ms since the epoch. */
  expiration: number;
}

/** Options of {@linkcode startFakeContainerCredentials}. */
export interface FakeContainerOptions {
  /** Path served. @default {"/v1/credentials"} */
  path?: string;
  /** Expected `Authorization` header; absent: any (or none) is accepted. */
  token?: string;
  /** Credential sets, handed out in turn (the last one repeats). */
  credentials: ContainerCredentialSet[];
  /** Answer the next N fetches with HTTP 500. @default {0} */
  failFirst?: number;
  /** Hold answers until `releaseAll()`. @default {false} */
  hold?: boolean;
}

/** A running fake. */
export interface FakeContainerCredentials {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** Full URL of the credentials path. */
  url: string;
  /** The `Authorization` header of each fetch (`null` when absent), in order. */
  readonly authorizations: readonly (string | null)[];
  /** Fetches seen (all, refused ones included). */
  readonly count: number;
  /** Answers currently held. */
  readonly held: number;
  /** Changes faults and holding. */
  set(options: { failFirst?: number; hold?: boolean }): void;
  /** Answers every held fetch. */
  releaseAll(): void;
  /** Resolves once `held` reaches `n`. */
  untilHeld(n: number): Promise<void>;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1 with a random port.
 *
 * @param options Credentials, expected token and faults.
 * @returns The running fake.
 */
export async function startFakeContainerCredentials(
  options: FakeContainerOptions,
): Promise<FakeContainerCredentials> {
  const path = options.path ?? "/v1/credentials";
  let failFirst = options.failFirst ?? 0;
  let hold = options.hold ?? false;
  let served = 0;
  const authorizations: (string | null)[] = [];
  const held = new Set<() => void>();
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of [...watchers]) w();
  };

  const answer = (): Response => {
    const set = options.credentials[Math.min(served, options.credentials.length - 1)]!;
    served++;
    return Response.json({
      AccessKeyId: set.accessKeyId,
      SecretAccessKey: set.secretAccessKey,
      Token: set.token,
      Expiration: new Date(set.expiration).toISOString(),
      RoleArn: "arn:aws:iam::123456789012:role/fake",
    });
  };

  const handler = async (req: Request): Promise<Response> => {
    const auth = req.headers.get("authorization");
    authorizations.push(auth);
    notify();
    if (new URL(req.url).pathname !== path || req.method !== "GET") {
      return Response.json({ code: "NotFound", message: "no such path" }, { status: 404 });
    }
    if (options.token !== undefined && auth !== options.token) {
      return Response.json({ code: "AccessDenied", message: "invalid token" }, { status: 401 });
    }
    if (hold) {
      await new Promise<void>((resolve) => {
        const release = () => {
          held.delete(release);
          resolve();
        };
        held.add(release);
        notify();
      });
    }
    if (failFirst > 0) {
      failFirst--;
      return Response.json({ code: "InternalError", message: "try again" }, { status: 500 });
    }
    return answer();
  };

  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
  }, handler);
  const addr = await ready.promise;
  const origin = `http://127.0.0.1:${addr.port}`;
  return {
    origin,
    url: `${origin}${path}`,
    authorizations,
    get count() {
      return authorizations.length;
    },
    get held() {
      return held.size;
    },
    set(o) {
      if (o.failFirst !== undefined) failFirst = o.failFirst;
      if (o.hold !== undefined) hold = o.hold;
    },
    releaseAll() {
      for (const r of [...held]) r();
    },
    untilHeld: (n) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (held.size >= n) {
            watchers.delete(check);
            resolve();
          }
        };
        watchers.add(check);
        check();
      }),
    close: async () => {
      for (const r of [...held]) r();
      await server.shutdown();
    },
  };
}
