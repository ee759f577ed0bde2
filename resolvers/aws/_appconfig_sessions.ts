// The AppConfig sessions the `appconfig` resolver keeps between reads (private): per client and
// application/environment/profile, the token of the next GetLatestConfiguration, when AppConfig
// allows the next poll, and the content last received. Kept here, apart from the resolver, so
// that the AWS family's `reset()` forgets them without loading the resolver.

/** Fetched configuration content. */
export interface AppConfigContent {
  /** The bytes. */
  bytes: Uint8Array;
  /** Their `Content-Type` ("" when AppConfig gave none). */
  contentType: string;
}

/** One configuration session. */
export interface AppConfigSession {
  /** The token for the next GetLatestConfiguration; undefined before the session starts. */
  token: string | undefined;
  /** The content last received (an empty answer keeps it). */
  content: AppConfigContent | undefined;
  /** When AppConfig allows the next poll (clock ms). */
  nextPollAt: number;
  /** The interval AppConfig asked for (`NextPollIntervalInSeconds`), in ms. */
  pollIntervalMs: number;
  /** The poll in flight, which later reads join (a token is used once). */
  pending: Promise<AppConfigContent | undefined> | undefined;
  /** Adds a reader's signal to the poll in flight (it is given up when every reader gave up). */
  join: ((signal: AbortSignal) => void) | undefined;
}

const sessions = new Map<string, AppConfigSession>();

/**
 * The session of a key, made (not started) on first use.
 *
 * @param key Client identity and application/environment/profile.
 * @returns The session.
 */
export function appConfigSession(key: string): AppConfigSession {
  let session = sessions.get(key);
  if (session === undefined) {
    session = {
      token: undefined,
      content: undefined,
      nextPollAt: 0,
      pollIntervalMs: 0,
      pending: undefined,
      join: undefined,
    };
    sessions.set(key, session);
  }
  return session;
}

/** Forgets every session (the AWS family's `reset()`). */
export function resetAppConfigSessions(): void {
  sessions.clear();
}
