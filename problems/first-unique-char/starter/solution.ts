/**
 * The index of the first character of `s` that occurs exactly once in `s`, or -1 if there is none.
 * Characters are compared exactly (case-sensitive), one UTF-16 code unit each (what s[i] returns).
 */
export function firstUniqueChar(s: string): number {
  throw new Error('not implemented');
}
