/**
 * The package version shown by `holoconf --version`. Kept equal to `version` in `deno.json`
 * (a test checks it), so the CLI needs no file read or JSON import at start-up.
 *
 * @module
 */

/** The holoconf version (same as `deno.json`). */
export const VERSION = "0.1.0";
