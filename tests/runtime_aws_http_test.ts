import assert from "node:assert/strict";
import {
  type AwsHttpSend,
  awsHttpSender,
  HttpConnectionError,
  sendWithFetch,
  sendWithNodeHttp,
} from "../src/runtime_aws_http.ts";

const SENDERS: [string, AwsHttpSend][] = [["node:http", sendWithNodeHttp], [
  "fetch",
  sendWithFetch,
]];
const never = new AbortController().signal;

async function withServer(
  handler: (req: Request) => Response | Promise<Response>,
  fn: (origin: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("awsHttpSender is fetch on Deno (node:http is for Node only)", () => {
  assert.equal(awsHttpSender(), sendWithFetch);
});

for (const [name, send] of SENDERS) {
  Deno.test(`${name}: a POST sends its headers and body and reads status, headers and body`, async () => {
    await withServer(async (req) => {
      const body = await req.text();
      return new Response(`${req.method} ${new URL(req.url).pathname} ${body}`, {
        status: 201,
        headers: { "x-amzn-requestid": "rid-1", "x-echo": req.headers.get("x-amz-target") ?? "" },
      });
    }, async (origin) => {
      const response = await send({
        method: "POST",
        url: `${origin}/a%20b`,
        headers: { "x-amz-target": "AmazonSSM.GetParameters", host: new URL(origin).host },
        body: '{"Names":["/ü"]}',
        signal: never,
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers["x-amzn-requestid"], "rid-1");
      assert.equal(response.headers["x-echo"], "AmazonSSM.GetParameters");
      assert.equal(new TextDecoder().decode(response.body), 'POST /a%20b {"Names":["/ü"]}');
    });
  });

  Deno.test(`${name}: a redirect is returned, not followed`, async () => {
    await withServer(
      () => new Response("", { status: 301, headers: { location: "http://127.0.0.1:9/x" } }),
      async (origin) => {
        const response = await send({
          method: "GET",
          url: `${origin}/`,
          headers: {},
          signal: never,
        });
        assert.equal(response.status, 301);
      },
    );
  });

  Deno.test(`${name}: a connection closed without an answer is ECONNRESET, without the path`, async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const accepting = (async () => {
      for await (const conn of listener) {
        // Read the request, then hang up without answering.
        await conn.read(new Uint8Array(4096));
        conn.close();
      }
    })();
    try {
      await assert.rejects(
        send({
          method: "GET",
          url: `http://127.0.0.1:${port}/secret-path?q=secret`,
          headers: {},
          signal: never,
        }),
        (e: unknown) => {
          assert.ok(e instanceof HttpConnectionError, String(e));
          assert.equal(e.code, "ECONNRESET");
          assert.equal(e.name, "ECONNRESET");
          assert.ok(!e.message.includes("secret"), e.message);
          return true;
        },
      );
    } finally {
      listener.close();
      await accepting.catch(() => {});
    }
  });

  Deno.test(`${name}: a refused connection is ECONNREFUSED`, async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await assert.rejects(
      send({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: {}, signal: never }),
      (e: unknown) => e instanceof HttpConnectionError && e.code === "ECONNREFUSED",
    );
  });

  Deno.test(`${name}: an abort rejects with the signal's reason at once`, async () => {
    const arrived = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    await withServer(async () => {
      arrived.resolve();
      await release.promise;
      return new Response("late");
    }, async (origin) => {
      const controller = new AbortController();
      const pending = send({
        method: "GET",
        url: `${origin}/`,
        headers: {},
        signal: controller.signal,
      });
      await arrived.promise;
      const reason = new Error("deadline");
      controller.abort(reason);
      await assert.rejects(pending, (e) => e === reason);
      release.resolve();
    });
  });

  Deno.test(`${name}: an already aborted signal sends nothing`, async () => {
    let requests = 0;
    await withServer(() => {
      requests++;
      return new Response("x");
    }, async (origin) => {
      const controller = new AbortController();
      const reason = new Error("gone");
      controller.abort(reason);
      await assert.rejects(
        send({ method: "GET", url: `${origin}/`, headers: {}, signal: controller.signal }),
        (e) => e === reason,
      );
      assert.equal(requests, 0);
    });
  });
}

Deno.test("node:http: requests to one origin reuse one keep-alive connection", async () => {
  const peers = new Set<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (_req, info) => {
      peers.add((info.remoteAddr as Deno.NetAddr).port);
      return new Response("ok");
    },
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/`;
    for (let i = 0; i < 3; i++) {
      const r = await sendWithNodeHttp({ method: "GET", url, headers: {}, signal: never });
      assert.equal(r.status, 200);
    }
    assert.equal(peers.size, 1);
  } finally {
    await server.shutdown();
  }
});
