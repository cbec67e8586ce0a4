// A character is unique when its first and last occurrences coincide: right answers, but
// indexOf and lastIndexOf scan the string for every position, O(n²) overall.
export function firstUniqueChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (s.indexOf(c) === s.lastIndexOf(c)) return i;
  }
  return -1;
}
