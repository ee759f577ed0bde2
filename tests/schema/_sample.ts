// Sample schema shared by the Markdown and template tests.
export const SAMPLE_SCHEMA_YAML = `
title: My App
description: Settings for the app.
type: object
required: [name, database]
properties:
  name: { type: string, description: "Application name", minLength: 2, maxLength: 40 }
  port: { type: integer, minimum: 1, maximum: 65535, default: 8080, description: "Listen port" }
  ratio: { type: number }
  debug: { type: boolean, default: false }
  log_level: { type: string, enum: [debug, info, warn], description: "Log level" }
  greeting: { type: string, default: "hello: world # hi" }
  padded: { type: string, default: " edge " }
  tags: { type: array, items: { type: string } }
  nothing: { type: "null" }
  version: { type: string, pattern: "^v\\\\d+$" }
  pipe: { type: string, description: "a | b" }
  database:
    $ref: "#/$defs/db"
    description: Database connection
  cache:
    type: object
    properties:
      ttl: { type: integer, default: 60 }
$defs:
  db:
    type: object
    required: [host]
    properties:
      host: { type: string, description: "Database host" }
      port: { type: integer, default: 5432 }
      pool:
        type: object
        description: Pool settings
        properties:
          size: { type: integer, default: 10, description: "Pool size" }
`;
