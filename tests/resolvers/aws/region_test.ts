import assert from "node:assert/strict";
import { resolveRegion } from "../../../resolvers/aws/_region.ts";
import { withAwsEnv } from "./_light.ts";

Deno.test("region: kwarg or setting, then AWS_REGION, then AWS_DEFAULT_REGION", async () => {
  await withAwsEnv({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-central-1" }, async () => {
    assert.equal(await resolveRegion({ region: "us-west-2" }), "us-west-2");
    assert.equal(await resolveRegion({ region: "" }), "eu-west-1");
    assert.equal(await resolveRegion({}), "eu-west-1");
    Deno.env.delete("AWS_REGION");
    assert.equal(await resolveRegion({}), "eu-central-1");
  });
});

Deno.test("region: the profile's region from the shared config file, read by the SDK's loader", async () => {
  await withAwsEnv({}, async (dir) => {
    await Deno.writeTextFile(
      `${dir}/config`,
      "[default]\nregion = ap-southeast-2\n[profile team]\nregion = sa-east-1\n",
    );
    Deno.env.set("AWS_CONFIG_FILE", `${dir}/config`);
    assert.equal(await resolveRegion({}), "ap-southeast-2");
    assert.equal(await resolveRegion({ profile: "team" }), "sa-east-1");
    Deno.env.set("AWS_PROFILE", "team");
    assert.equal(await resolveRegion({}), "sa-east-1");
    // The environment still wins over the file.
    Deno.env.set("AWS_REGION", "us-east-2");
    assert.equal(await resolveRegion({ profile: "team" }), "us-east-2");
  });
});

Deno.test("region: none anywhere is RegionMissingError (AWS_ERROR) saying what to set", async () => {
  await withAwsEnv({}, async () => {
    await assert.rejects(resolveRegion({}), (e: unknown) => {
      const err = e as { name: string; code: string; message: string };
      assert.equal(err.name, "RegionMissingError");
      assert.equal(err.code, "AWS_ERROR");
      assert.match(err.message, /AWS region is missing[\s\S]*AWS_REGION/);
      return true;
    });
  });
});
