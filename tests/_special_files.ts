// Test helpers: special files (FIFOs, devices) that a reader must refuse without blocking.

/** `/dev/zero` exists here: an endless character device. */
export const HAS_DEV_ZERO: boolean = (() => {
  try {
    return Deno.statSync("/dev/zero").isCharDevice === true;
  } catch {
    return false;
  }
})();

/**
 * Creates a FIFO with the `mkfifo` command.
 *
 * @param path Where.
 * @returns `false` when this platform has no `mkfifo`.
 */
export function makeFifo(path: string): boolean {
  try {
    return new Deno.Command("mkfifo", { args: [path], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** This platform can make FIFOs (tests that need one are skipped otherwise). */
export const CAN_MAKE_FIFO: boolean = (() => {
  const dir = Deno.makeTempDirSync({ prefix: "holoconf_fifo_probe_" });
  try {
    return makeFifo(`${dir}/probe`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
})();

/**
 * Creates a sparse file of `size` bytes (zeros, no disk space used) with `prefix` at the start.
 *
 * @param path Where.
 * @param size Length in bytes.
 * @param prefix Text written first.
 */
export function makeSparseFile(path: string, size: number, prefix = ""): void {
  Deno.writeTextFileSync(path, prefix);
  Deno.truncateSync(path, size);
}
