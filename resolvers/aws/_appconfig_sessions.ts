// The AppConfig sessions the `appconfig` resolver keeps between reads (private): per client and
// application/environment/profile, the token of the next GetLatestConfiguration, when AppConfig
// allows the next poll, the content last received, and the poll in flight. Kept here, apart from
// the resolver, so that the AWS family's `reset()` forgets them without loading the resolver.
//
// A cache per client and configuration, like the SDK clients, not per Config: a session is the
// AppConfig Data protocol's own state (each token is good for one poll, and AppConfig sets how
// often a client may poll), so every reader of one configuration through one client shares it.
// Sharing the poll in flight follows from the one-use token; it is not call policy (the
// dispatcher's single-flight joins identical calls only, and reads with other keywords share a
// session too).

import type { SharedWork } from "../../src/_abortable.ts";

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
  /**
   * The poll in flight, which later reads join (a token is used once): its content, and its
   * readers (it is aborted once every one of them gave up).
   */
  poll: { content: Promise<AppConfigContent | undefined>; readers: SharedWork } | undefined;
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
      poll: undefined,
    };
    sessions.set(key, session);
  }
  return session;
}

/** Forgets every session (the AWS family's `reset()`). */
export function resetAppConfigSessions(): void {
  sessions.clear();
}
