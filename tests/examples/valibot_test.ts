import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("valibot example: typed gets, and validate() returns valibot's output", async () => {
  const r = await runExample("valibot.ts", { APP_ENV: "staging", PORT: "9090" });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^database\.host = db\.staging\.internal$/m);
  assert.match(r.stdout, /^service\.port \+ 1 = 9091$/m);
  assert.match(r.stdout, /^service\.replicas = 2$/m);
});

Deno.test("valibot example: an invalid value is reported with its file:line:col, exit 1", async () => {
  const r = await runExample("valibot.ts", { APP_ENV: "qa", PORT: "8080" });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^invalid service\.env: .+ \(at .*examples\/service\.yaml:4:8\)$/m);
});
