/**
 * A cheap look at a protocol line before JSON.parse builds it: how deeply its brackets nest and
 * how many objects and arrays it holds. JSON.parse would happily build millions of nested arrays
 * (and the decoder would only refuse them afterwards); this scan costs one pass over the bytes,
 * jumping over strings with `indexOf`.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

export type LineShape = 'ok' | 'nests too deeply' | 'holds too many values';

/** Whether `line` stays within `maxNesting` open brackets and `maxContainers` objects and arrays. */
export function lineShapeWithin(line: Uint8Array, maxNesting: number, maxContainers: number): LineShape {
  let depth = 0;
  let containers = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === QUOTE) {
      i = closingQuote(line, i);
      if (i < 0) return 'ok'; // an unterminated string: JSON.parse refuses the line
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxNesting) return 'nests too deeply';
      if (++containers > maxContainers) return 'holds too many values';
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return 'ok';
}

/** Index of the quote closing the string opened at `open`, or -1. */
function closingQuote(line: Uint8Array, open: number): number {
  for (let q = line.indexOf(QUOTE, open + 1); q >= 0; q = line.indexOf(QUOTE, q + 1)) {
    let backslashes = 0;
    while (line[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}
