// Helpers of the file and transformation resolver tests: `makeCall` is the shared call builder
// (tests/_call.ts) under the name these tests use, plus `thrown`.

export { makeResolverCall as makeCall } from "../_call.ts";

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
