// A minimal loopback fake of SSM's JSON 1.1 protocol (GetParameter, GetParameters) on Node's
// http server, for the npm package tests. The complete fake (S3, CloudFormation, faults) is
// tests/fakes/fake_aws.ts, which runs on Deno.

import http from "node:http";

const JSON_11 = "application/x-amz-json-1.1";

/**
 * Starts the fake on 127.0.0.1 with a random port.
 *
 * @param {Record<string, string | { value: string, type?: "String" | "SecureString" | "StringList" }>} params
 * @returns {Promise<{ url: string, requests: { operation: string, names: string[], userAgent: string }[], close(): Promise<void> }>}
 */
export async function startFakeSsm(params) {
  const requests = [];
  const lookup = (name) => {
    const p = params[name];
    if (p === undefined) return undefined;
    const { value, type = "String" } = typeof p === "string" ? { value: p } : p;
    return { Name: name, Type: type, Value: value, Version: 1, DataType: "text" };
  };
  const reply = (res, status, body) => {
    res.writeHead(status, { "content-type": JSON_11 });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.replace(/^AmazonSSM\./, "");
      const userAgent = String(req.headers["user-agent"] ?? "");
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return reply(res, 400, { __type: "SerializationException", message: "bad JSON" });
      }
      if (req.method !== "POST" || !target.startsWith("AmazonSSM.")) {
        return reply(res, 400, { __type: "UnknownOperationException", message: target });
      }
      if (operation === "GetParameter") {
        requests.push({ operation, names: [body.Name], userAgent });
        const p = lookup(body.Name);
        if (p === undefined) {
          return reply(res, 400, {
            __type: "ParameterNotFound",
            message: `Parameter ${body.Name} not found.`,
          });
        }
        return reply(res, 200, { Parameter: p });
      }
      if (operation === "GetParameters") {
        const names = body.Names ?? [];
        requests.push({ operation, names, userAgent });
        const found = names.map(lookup).filter((p) => p !== undefined);
        const invalid = names.filter((n) => lookup(n) === undefined);
        return reply(res, 200, { Parameters: found, InvalidParameters: invalid });
      }
      return reply(res, 400, { __type: "InvalidAction", message: `Unsupported ${operation}` });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
