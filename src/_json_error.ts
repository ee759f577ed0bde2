// Finds where and why a JSON text is invalid, without echoing the text: `JSON.parse` messages
// quote the input, which must never reach an error message when the input is a secret. Shared by
// the config loader (`Config.fromJson`) and the `json` resolver.

/** Where a JSON text first goes wrong, and why. */
export interface JsonSyntaxProblem {
  offset: number;
  reason: string;
}

const OBJECT = 1;
const ARRAY = 2;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Finds the first syntax error of a JSON text (RFC 8259), without recursion so hostile nesting
 * cannot overflow the stack. Only used after `JSON.parse` failed: `JSON.parse` messages quote
 * the input, which must never reach an error message when the input is a secret.
 */
export function locateJsonError(text: string): JsonSyntaxProblem {
  const n = text.length;
  const stack: number[] = [];
  let i = 0;
  const skip = () => {
    while (i < n && isWhitespace(text.charCodeAt(i))) i++;
  };
  const problem = (reason: string, at = i): JsonSyntaxProblem => ({ offset: at, reason });

  // Scans a string starting at the opening quote; returns a problem or undefined.
  const scanString = (): JsonSyntaxProblem | undefined => {
    i++;
    while (true) {
      if (i >= n) return problem("EOF while parsing a string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (i + 1 >= n) return problem("EOF while parsing a string", n);
        if ('"\\/bfnrt'.includes(text[i + 1] ?? "")) {
          i += 2;
          continue;
        }
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= n) return problem("EOF while parsing a string", n);
            if (!isHex(text.charCodeAt(i + k))) return problem("invalid escape", i + k);
          }
          i += 6;
          continue;
        }
        return problem("invalid escape", i + 1);
      }
      if (c < 0x20) {
        return problem("control character (\\u0000-\\u001F) found while parsing a string");
      }
      i++;
    }
  };

  const scanNumber = (): JsonSyntaxProblem | undefined => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (i >= n) return problem("EOF while parsing a value");
    if (text.charCodeAt(i) === 0x30) {
      i++;
    } else if (isDigit(text.charCodeAt(i))) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    } else {
      return problem("invalid number");
    }
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) return problem("invalid number");
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) return problem("invalid number");
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    return undefined;
  };

  // Scans `"key" :` of an object member, leaving `i` at the start of its value.
  const scanKey = (): JsonSyntaxProblem | undefined => {
    skip();
    if (i >= n) return problem("EOF while parsing an object");
    if (text.charCodeAt(i) === 0x7d) return problem("trailing comma");
    if (text.charCodeAt(i) !== 0x22) return problem("key must be a string");
    const p = scanString();
    if (p) return p;
    skip();
    if (i >= n) return problem("EOF while parsing an object");
    if (text.charCodeAt(i) !== 0x3a) return problem("expected `:`");
    i++;
    return undefined;
  };

  // true: a value is expected at `i`; false: a value just ended.
  let expectValue = true;
  while (true) {
    if (expectValue) {
      skip();
      if (i >= n) return problem("EOF while parsing a value");
      const c = text.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) {
        // `{` or `[`: empty, or the first member (an object's starts with its key).
        i++;
        skip();
        if (text.charCodeAt(i) === c + 2) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c === 0x7b ? OBJECT : ARRAY);
        const p = c === 0x7b ? scanKey() : undefined;
        if (p) return p;
        continue;
      }
      let p: JsonSyntaxProblem | undefined;
      if (c === 0x22) {
        p = scanString();
      } else if (c === 0x2d || isDigit(c)) {
        p = scanNumber();
      } else {
        const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
        if (word === undefined) return problem("expected value");
        i += word.length;
      }
      if (p) return p;
      expectValue = false;
      continue;
    }
    skip();
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < n) return problem("trailing characters");
      return problem("invalid JSON", 0);
    }
    if (i >= n) {
      return problem(top === OBJECT ? "EOF while parsing an object" : "EOF while parsing a list");
    }
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      if (top === OBJECT) {
        const p = scanKey();
        if (p) return p;
      } else {
        skip();
        if (text.charCodeAt(i) === 0x5d) return problem("trailing comma");
      }
      expectValue = true;
      continue;
    }
    if ((top === OBJECT && c === 0x7d) || (top === ARRAY && c === 0x5d)) {
      i++;
      stack.pop();
      continue;
    }
    return problem(top === OBJECT ? "expected `,` or `}`" : "expected `,` or `]`");
  }
}
