// Offsets in a text -> 1-based line and column (private; shared by the YAML/JSON parsers and the
// json resolver).

/** Offset -> 1-based line/column, with a line-start table built once per text. */
export class LineIndex {
  #starts: number[];
  #cursor = 0;
  /** A byte-order mark is not a column. */
  #bom: boolean;

  /** @param text The text whose offsets are converted. */
  constructor(text: string) {
    this.#bom = text.charCodeAt(0) === 0xfeff;
    const starts = [0];
    let i = text.indexOf("\n");
    while (i !== -1) {
      starts.push(i + 1);
      i = text.indexOf("\n", i + 1);
    }
    this.#starts = starts;
  }

  /**
   * The position of `offset` (UTF-16 code units; columns too).
   *
   * @param offset Offset in the text.
   * @returns 1-based line and column.
   */
  position(offset: number): { line: number; column: number } {
    const s = this.#starts;
    let i = this.#cursor;
    // Offsets mostly grow: walk forward from the last answer, else binary search.
    if ((s[i] ?? 0) <= offset) {
      while (i + 1 < s.length && (s[i + 1] as number) <= offset) i++;
    } else {
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((s[mid] as number) <= offset) lo = mid;
        else hi = mid - 1;
      }
      i = lo;
    }
    this.#cursor = i;
    const column = offset - (s[i] as number) + (i === 0 && this.#bom && offset > 0 ? 0 : 1);
    return { line: i + 1, column };
  }
}

/**
 * 1-based line and column (in UTF-16 code units; a leading byte-order mark is not a column) of
 * `offset` in `text`; offsets outside the text are clamped to it.
 */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  return new LineIndex(text).position(Math.max(0, Math.min(offset, text.length)));
}
