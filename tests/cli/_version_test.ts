import assert from "node:assert/strict";
import { VERSION } from "../../src/cli/_version.ts";

Deno.test("the CLI version constant matches deno.json", async () => {
  const denoJson = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { version: string };
  assert.equal(VERSION, denoJson.version);
});
