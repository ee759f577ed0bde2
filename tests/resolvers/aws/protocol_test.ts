import assert from "node:assert/strict";
import {
  buildRequest,
  EMPTY_BODY_SHA256,
  parseErrorResponse,
  withoutSigningDetails,
} from "../../../resolvers/aws/_protocol.ts";

const encode = (t: string) => new TextEncoder().encode(t);
const aws = { base: "https://ssm.us-east-1.amazonaws.com", custom: false };

Deno.test("json protocol: POST / with the target and JSON 1.1 content type", () => {
  assert.deepEqual(
    buildRequest(
      { protocol: "json", target: "AmazonSSM.GetParameters", input: { Names: ["/a"] } },
      aws,
    ),
    {
      method: "POST",
      url: "https://ssm.us-east-1.amazonaws.com/",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonSSM.GetParameters",
      },
      body: '{"Names":["/a"]}',
    },
  );
});

Deno.test("s3-get protocol: GET of the object with the empty body's hash", () => {
  const r = buildRequest({ protocol: "s3-get", bucket: "b", key: "x y" }, {
    base: "http://127.0.0.1:9000",
    custom: true,
  });
  assert.deepEqual(r, {
    method: "GET",
    url: "http://127.0.0.1:9000/b/x%20y",
    headers: { "x-amz-content-sha256": EMPTY_BODY_SHA256 },
    body: "",
  });
});

Deno.test("query protocol: Action, Version, then parameters, RFC 3986 encoded", () => {
  const r = buildRequest({
    protocol: "query",
    action: "DescribeStacks",
    version: "2010-05-15",
    params: { StackName: "a+b c*" },
  }, aws);
  assert.equal(r.method, "POST");
  assert.equal(r.headers["content-type"], "application/x-www-form-urlencoded; charset=utf-8");
  assert.equal(r.body, "Action=DescribeStacks&Version=2010-05-15&StackName=a%2Bb%20c%2A");
});

Deno.test("json errors: code from x-amzn-errortype, __type or code, message from message/Message", async () => {
  assert.deepEqual(
    await parseErrorResponse("json", {
      status: 400,
      headers: { "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/" },
      body: encode('{"message":"Rate exceeded"}'),
    }),
    { code: "ThrottlingException", message: "Rate exceeded", requestId: undefined },
  );
  assert.equal(
    (await parseErrorResponse("json", {
      status: 400,
      headers: {},
      body: encode('{"__type":"com.amazonaws.ssm#ParameterNotFound","Message":"gone"}'),
    })).message,
    "gone",
  );
  assert.equal(
    (await parseErrorResponse("json", { status: 400, headers: {}, body: encode('{"code":"X"}') }))
      .code,
    "X",
  );
});

Deno.test("xml errors: S3's <Error> and the Query protocol's <ErrorResponse>", async () => {
  assert.deepEqual(
    await parseErrorResponse("s3-get", {
      status: 404,
      headers: {},
      body: encode(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>' +
          "<Message>The specified key does not exist.</Message><Key>k</Key>" +
          "<RequestId>R1</RequestId></Error>",
      ),
    }),
    { code: "NoSuchKey", message: "The specified key does not exist.", requestId: "R1" },
  );
  assert.deepEqual(
    await parseErrorResponse("query", {
      status: 400,
      headers: {},
      body: encode(
        '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error>' +
          "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>" +
          "<RequestId>R2</RequestId></ErrorResponse>",
      ),
    }),
    { code: "Throttling", message: "Rate exceeded", requestId: "R2" },
  );
});

Deno.test("errors without a readable body are named from the status and never quote the body", async () => {
  for (const protocol of ["json", "s3-get", "query"] as const) {
    const info = await parseErrorResponse(protocol, {
      status: 403,
      headers: {},
      body: encode("<html>proxy says: secret-name-here</html"),
    });
    assert.deepEqual(info, { code: "Forbidden", message: "HTTP 403", requestId: undefined });
  }
  assert.equal(
    (await parseErrorResponse("s3-get", { status: 404, headers: {}, body: new Uint8Array() })).code,
    "NotFound",
  );
  assert.equal(
    (await parseErrorResponse("json", { status: 502, headers: {}, body: encode("bad gateway") }))
      .code,
    "UnknownError",
  );
  // A code that is not an identifier is not trusted either.
  assert.equal(
    (await parseErrorResponse("json", {
      status: 400,
      headers: {},
      body: encode('{"__type":"<script>","message":"m"}'),
    })).code,
    "BadRequest",
  );
});

Deno.test("withoutSigningDetails() cuts what a signature error quotes, and credentials left", () => {
  const headline = "The request signature we calculated does not match the signature you provided.";
  for (
    const tail of [
      "\n\nThe Canonical String for this request should have been\n'POST\n/\nx-amz-security-token:t'",
      " The canonical request was 'GET /'",
      "\nThe String-to-Sign should have been 'AWS4-HMAC-SHA256...'",
    ]
  ) {
    assert.equal(withoutSigningDetails(headline + tail), headline);
  }
  // What is left: the credentials given, a token field, an access key id.
  assert.equal(
    withoutSigningDetails("token my-session-token for key-id-1", ["my-session-token", "key-id-1"]),
    "token [REDACTED] for [REDACTED]",
  );
  assert.equal(
    withoutSigningDetails("sent X-Amz-Security-Token=abc%2F123&x and AKIAIOSFODNN7EXAMPLE"),
    "sent X-Amz-Security-Token=[REDACTED]&x and [REDACTED]",
  );
  // Other messages are kept whole.
  assert.equal(withoutSigningDetails("Parameter /a not found."), "Parameter /a not found.");
});
