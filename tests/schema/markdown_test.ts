import assert from "node:assert/strict";
import { Schema } from "../../src/schema/schema.ts";
import { schemaToMarkdown } from "../../src/schema/markdown.ts";
import { SAMPLE_SCHEMA_YAML } from "./_sample.ts";

const HEADER = "| Key | Type | Required | Default | Description |";
const RULE = "|-----|------|----------|---------|-------------|";

Deno.test("toMarkdown() documents every level with tables and dotted sections", () => {
  const md = Schema.fromYaml(SAMPLE_SCHEMA_YAML).toMarkdown();
  const lines = md.split("\n");
  assert.equal(lines[0], "# My App");
  assert.equal(lines[1], "");
  assert.equal(lines[2], "Settings for the app.");
  assert.equal(lines[4], HEADER);
  assert.equal(lines[5], RULE);
  const expectRows = [
    "| name | string (minLength: 2, maxLength: 40) | yes | - | Application name |",
    "| port | integer (min: 1, max: 65535) | no | 8080 | Listen port |",
    "| ratio | number | no | - | - |",
    "| debug | boolean | no | false | - |",
    '| log_level | enum: "debug", "info", "warn" | no | - | Log level |',
    '| greeting | string | no | "hello: world # hi" | - |',
    "| tags | array of string | no | - | - |",
    "| nothing | null | no | - | - |",
    "| version | string (pattern: ^v\\d+$) | no | - | - |",
    "| pipe | string | no | - | a \\| b |",
    "| database | object | yes | - | Database connection |",
    "| cache | object | no | - | - |",
  ];
  for (const row of expectRows) assert.ok(lines.includes(row), `missing row: ${row}\n${md}`);

  const db = lines.indexOf("## database (required)");
  assert.ok(db > 0, md);
  assert.equal(lines[db + 2], "Database connection");
  assert.equal(lines[db + 4], HEADER);
  assert.equal(lines[db + 6], "| host | string | yes | - | Database host |");
  assert.equal(lines[db + 7], "| port | integer | no | 5432 | - |");
  assert.equal(lines[db + 8], "| pool | object | no | - | Pool settings |");

  const pool = lines.indexOf("### database.pool");
  assert.ok(pool > db, md);
  assert.ok(lines.slice(pool).includes("| size | integer | no | 10 | Pool size |"));

  const cache = lines.indexOf("## cache");
  assert.ok(cache > pool, "sections follow the property order, depth first");
  assert.ok(lines.slice(cache).includes("| ttl | integer | no | 60 | - |"));
  assert.ok(md.endsWith("|\n"));
});

Deno.test("toMarkdown() uses a default title and skips the table without properties", () => {
  assert.equal(schemaToMarkdown({ type: "string" }), "# Configuration Reference\n");
  assert.equal(schemaToMarkdown(true), "# Configuration Reference\n");
});

Deno.test("schemaToMarkdown() sees changes made to a schema object between calls", () => {
  const schema: Record<string, unknown> = {
    $defs: { a: { $anchor: "port", type: "integer" } },
    properties: { port: { $ref: "#port" } },
  };
  assert.ok(schemaToMarkdown(schema).includes("| port | integer | no | - | - |"));
  schema.$defs = { a: { $anchor: "port", type: "string" } };
  assert.ok(schemaToMarkdown(schema).includes("| port | string | no | - | - |"));
});
