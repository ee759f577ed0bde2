import assert from "node:assert/strict";
import { Schema } from "../../src/schema/schema.ts";
import { schemaToTemplate } from "../../src/schema/template.ts";
import { parseYamlValue } from "../../src/yaml.ts";
import { SAMPLE_SCHEMA_YAML } from "./_sample.ts";

Deno.test("toTemplate() writes a commented skeleton with REQUIRED markers", () => {
  const yaml = Schema.fromYaml(SAMPLE_SCHEMA_YAML).toTemplate();
  const lines = yaml.split("\n");
  assert.deepEqual(lines.slice(0, 3), [
    "# Generated from: My App",
    "# Required fields marked with # REQUIRED",
    "",
  ]);
  const expected = [
    'name: ""  # REQUIRED - Application name',
    "port: 8080  # Listen port (default: 8080)",
    "ratio: 0.0",
    "debug: false  # default: false",
    "log_level: debug  # Log level",
    'greeting: "hello: world # hi"  # default: "hello: world # hi"',
    'padded: " edge "  # default: " edge "',
    "tags: []",
    "nothing: null",
    'version: ""',
    "# REQUIRED - Database connection",
    "database:",
    '  host: ""  # REQUIRED - Database host',
    "  port: 5432  # default: 5432",
    "  # Pool settings",
    "  pool:",
    "    size: 10  # Pool size (default: 10)",
    "cache:",
    "  ttl: 60  # default: 60",
  ];
  for (const line of expected) assert.ok(lines.includes(line), `missing line: ${line}\n${yaml}`);
  assert.ok(lines.indexOf("database:") < lines.indexOf("  pool:"));
});

Deno.test("toTemplate() output parses as YAML with the placeholder values", () => {
  const yaml = Schema.fromYaml(SAMPLE_SCHEMA_YAML).toTemplate();
  assert.deepEqual(parseYamlValue(yaml), {
    name: "",
    port: 8080,
    ratio: 0,
    debug: false,
    log_level: "debug",
    greeting: "hello: world # hi",
    padded: " edge ",
    tags: [],
    nothing: null,
    version: "",
    pipe: "",
    database: { host: "", port: 5432, pool: { size: 10 } },
    cache: { ttl: 60 },
  });
});

Deno.test("toTemplate() quotes strings YAML would misread, keys included", () => {
  const yaml = schemaToTemplate({
    properties: {
      a: { default: "true" },
      b: { default: "123" },
      c: { default: "" },
      d: { default: "- item" },
      e: { default: "plain text" },
      "key: odd": { type: "integer" },
      "8080": { type: "string" },
      f: { default: { nested: ["x", 1] } },
      g: { default: null },
      h: { enum: ["first", "second"] },
      i: { type: ["null", "integer"] },
    },
  });
  assert.ok(yaml.startsWith("# Configuration template generated from schema\n"));
  assert.ok(yaml.includes("e: plain text"));
  assert.deepEqual(parseYamlValue(yaml), {
    a: "true",
    b: "123",
    c: "",
    d: "- item",
    e: "plain text",
    "key: odd": 0,
    "8080": "",
    f: { nested: ["x", 1] },
    g: null,
    h: "first",
    i: 0,
  });
});
