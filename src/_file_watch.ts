// File watch of a Config (private): changes of its files (seen by the runtime adapter,
// `watchPaths`), debounced, start one reload at a time (a change during a reload starts another
// once it is done). Files can be added while it runs (a config merged in). What a reload does is
// the Config's; the watcher and its timers never keep the process alive.

import type { LiveHandle } from "./live.ts";
import { backgroundTimer, type PathWatch, watchPaths } from "./runtime.ts";
import { dirname } from "./_posix.ts";

/** What {@linkcode watchFiles} needs. */
export interface FileWatchOptions {
  /** Quiet time after the last change before reloading, in ms. */
  debounce: number;
  /** How often files are checked where the runtime's watcher is not used (Deno), in ms. */
  interval: number;
  /** Reloads (never rejects: it reports its own failures). */
  reload: () => Promise<void>;
  /** Where a watcher that stops on an error reports it. */
  onError: (error: unknown) => void;
}

/** A running file watch. */
export interface FileWatch extends LiveHandle {
  /**
   * Watches these files too (those already watched are skipped); nothing once stopped.
   *
   * @param files Absolute paths (missing ones too).
   */
  add(files: readonly string[]): void;
}

/**
 * Watches `files` and reloads after each burst of changes.
 *
 * @param files The files (absolute; missing ones too: their creation is a change).
 * @param options Debounce, poll interval, reload, error sink.
 * @returns Stops the watch, its timer and any reload to come; adds files to it.
 * @throws {Error} When the runtime cannot watch them (no permission, no file system).
 */
export function watchFiles(files: readonly string[], options: FileWatchOptions): FileWatch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reloading = false;
  let again = false;
  let stopped = false;
  const fire = async () => {
    timer = undefined;
    if (stopped) return;
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    try {
      await options.reload();
    } finally {
      reloading = false;
    }
    if (again && !stopped) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = backgroundTimer(fire, Math.max(1, options.debounce));
  };
  const watched = new Set<string>();
  const watches: PathWatch[] = [];
  const add = (more: readonly string[]) => {
    if (stopped) return;
    const fresh = [...new Set(more)].filter((f) => !watched.has(f));
    if (fresh.length === 0) return;
    const dirs = [...new Set(fresh.map((f) => dirname(f)))];
    watches.push(watchPaths({ files: fresh, dirs }, schedule, {
      interval: options.interval,
      onError: options.onError,
    }));
    for (const f of fresh) watched.add(f);
  };
  add(files);
  return {
    add,
    stop: () => {
      stopped = true;
      for (const w of watches.splice(0)) w.close();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
