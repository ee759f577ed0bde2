// Test helper: run with process-wide scheduler settings changed, restoring them afterwards.

import { configure } from "../mod.ts";
import { getSchedulerSettings } from "../src/scheduler.ts";

/** Runs `fn` with scheduler settings changed, restoring them afterwards. */
export async function withSettings(
  settings: Parameters<typeof configure>[0],
  fn: () => Promise<void>,
): Promise<void> {
  const before = getSchedulerSettings();
  configure(settings);
  try {
    await fn();
  } finally {
    configure(before);
  }
}
