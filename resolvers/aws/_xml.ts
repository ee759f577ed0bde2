/**
 * XML of AWS answers (S3 errors, CloudFormation's Query replies and errors), read with
 * `@rgrove/parse-xml`, which is loaded on first use: in a fresh process it costs ≈ 1–4 ms against
 * 20–30 ms for `fast-xml-parser` 5 (see docs/aws-transport.md). It expands no external entity and
 * reads no DTD. Element names lose their namespace prefix; only elements and text are kept.
 *
 * @module
 */

import { ParseError } from "../../src/errors.ts";

/** An element: its local name, child elements and text content. */
export interface XmlElement {
  /** Local name (no namespace prefix). */
  name: string;
  /** Child elements, in document order. */
  children: XmlElement[];
  /** The text of the element and its descendants, concatenated. */
  text: string;
}

interface RgroveElement {
  type: string;
  name: string;
  text: string;
  children: RgroveElement[];
}

/**
 * Parses an XML document.
 *
 * @param text The document.
 * @returns Its root element.
 * @throws {ParseError} When the text is not well-formed XML: line and column only, never a
 *   quote of the text (an answer may name secrets).
 *
 * @example
 * ```ts
 * import { childText, parseXml } from "./_xml.ts";
 * import assert from "node:assert/strict";
 * const root = await parseXml("<Error><Code>NoSuchKey</Code><Message>No key</Message></Error>");
 * assert.equal(root.name, "Error");
 * assert.equal(childText(root, "Code"), "NoSuchKey");
 * ```
 */
export async function parseXml(text: string): Promise<XmlElement> {
  const { parseXml: parse } = await import("@rgrove/parse-xml");
  let root: RgroveElement | null;
  try {
    root = parse(text).root as unknown as RgroveElement | null;
  } catch (err) {
    const { line, column } = err as { line?: unknown; column?: unknown };
    throw new ParseError("Malformed XML in the AWS answer", {
      ...(typeof line === "number" ? { line } : {}),
      ...(typeof column === "number" ? { column } : {}),
    });
  }
  if (root === null) throw new ParseError("Malformed XML in the AWS answer: no root element");
  return convert(root);
}

function convert(element: RgroveElement): XmlElement {
  const colon = element.name.indexOf(":");
  return {
    name: colon < 0 ? element.name : element.name.slice(colon + 1),
    children: element.children.filter((c) => c.type === "element").map(convert),
    text: element.text,
  };
}

/**
 * The first child element called `name`.
 *
 * @param element The parent.
 * @param name Local name.
 * @returns The child, or `undefined`.
 *
 * @example
 * ```ts
 * import { childElement, parseXml } from "./_xml.ts";
 * import assert from "node:assert/strict";
 * const root = await parseXml("<a><b><c>1</c></b></a>");
 * assert.equal(childElement(root, "b")?.text, "1");
 * assert.equal(childElement(root, "c"), undefined);
 * ```
 */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/**
 * Every child element called `name`.
 *
 * @param element The parent.
 * @param name Local name.
 * @returns The children, in document order.
 *
 * @example
 * ```ts
 * import { childElements, parseXml } from "./_xml.ts";
 * import assert from "node:assert/strict";
 * const root = await parseXml("<m><member>1</member><member>2</member></m>");
 * assert.deepEqual(childElements(root, "member").map((e) => e.text), ["1", "2"]);
 * ```
 */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/**
 * The text of the element reached by following `names` from `element`.
 *
 * @param element Where to start.
 * @param names Local names of the path, one per level.
 * @returns Its text, or `undefined` when an element on the path is missing.
 *
 * @example
 * ```ts
 * import { childText, parseXml } from "./_xml.ts";
 * import assert from "node:assert/strict";
 * const root = await parseXml("<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
 * assert.equal(childText(root, "Error", "Code"), "Throttling");
 * assert.equal(childText(root, "Error", "Message"), undefined);
 * ```
 */
export function childText(element: XmlElement, ...names: string[]): string | undefined {
  let current: XmlElement | undefined = element;
  for (const name of names) {
    current = childElement(current, name);
    if (current === undefined) return undefined;
  }
  return current.text;
}
