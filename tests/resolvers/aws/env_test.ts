import assert from "node:assert/strict";
import {
  awsEnv,
  awsFlag,
  fileExists,
  homeDirectory,
  sharedFiles,
} from "../../../resolvers/aws/_env.ts";
import { withAwsEnv } from "./_light.ts";

Deno.test("awsEnv trims, and an empty or blank variable is unset", async () => {
  await withAwsEnv({ AWS_REGION: "  eu-west-1 \n", AWS_PROFILE: "   " }, () => {
    assert.equal(awsEnv("AWS_REGION"), "eu-west-1");
    assert.equal(awsEnv("AWS_PROFILE"), undefined);
    assert.equal(awsEnv("AWS_DEFAULT_REGION"), undefined);
    return Promise.resolve();
  });
});

Deno.test("awsFlag is true for `true` in any letter case only", async () => {
  await withAwsEnv({}, () => {
    for (
      const [value, expected] of [["TRUE", true], ["true", true], ["1", false], ["yes", false]]
    ) {
      Deno.env.set("AWS_USE_FIPS_ENDPOINT", value as string);
      assert.equal(awsFlag("AWS_USE_FIPS_ENDPOINT"), expected, String(value));
    }
    return Promise.resolve();
  });
});

Deno.test("sharedFiles: the variables, else ~/.aws/config and ~/.aws/credentials", async () => {
  await withAwsEnv({}, (dir) => {
    assert.equal(homeDirectory(), dir);
    assert.deepEqual(sharedFiles(), [`${dir}/.aws/config`, `${dir}/.aws/credentials`]);
    Deno.env.set("AWS_CONFIG_FILE", "/etc/aws-config");
    Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws-credentials");
    assert.deepEqual(sharedFiles(), ["/etc/aws-config", "/etc/aws-credentials"]);
    Deno.env.delete("AWS_CONFIG_FILE");
    Deno.env.delete("AWS_SHARED_CREDENTIALS_FILE");
    Deno.env.delete("HOME");
    assert.deepEqual(sharedFiles(), []);
    return Promise.resolve();
  });
});

Deno.test("fileExists: regular files only; directories and missing paths are absent", async () => {
  await withAwsEnv({}, async (dir) => {
    await Deno.writeTextFile(`${dir}/config`, "");
    assert.equal(fileExists(`${dir}/config`), true);
    assert.equal(fileExists(dir), false);
    assert.equal(fileExists(`${dir}/missing`), false);
  });
});
