import assert from "node:assert/strict";
import { childElement, childElements, childText, parseXml } from "../../../resolvers/aws/_xml.ts";
import { ParseError } from "../../../src/errors.ts";

Deno.test("parseXml keeps elements and text, drops namespace prefixes, decodes entities", async () => {
  const root = await parseXml(
    '<?xml version="1.0"?><a:Root xmlns:a="urn:x"><a:Item>1 &amp; 2</a:Item><!-- c -->' +
      "<Item><![CDATA[<raw>]]></Item><Empty/></a:Root>",
  );
  assert.equal(root.name, "Root");
  assert.deepEqual(childElements(root, "Item").map((e) => e.text), ["1 & 2", "<raw>"]);
  assert.equal(childText(root, "Empty"), "");
  assert.equal(childElement(root, "Missing"), undefined);
});

Deno.test("parseXml: malformed XML is a ParseError with a position that quotes nothing", async () => {
  await assert.rejects(parseXml("<Error><Code>secret-value</Error>"), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.line, 1);
    assert.equal(typeof e.column, "number");
    assert.ok(!e.message.includes("secret-value"), e.message);
    return true;
  });
});

Deno.test("parseXml expands no external entity", async () => {
  const doc = '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/hostname">]><a>&e;</a>';
  let text = "";
  try {
    text = (await parseXml(doc)).text;
  } catch (e) {
    assert.ok(e instanceof ParseError);
  }
  assert.ok(!text.includes(Deno.hostname()), "the file's content must not appear");
});
