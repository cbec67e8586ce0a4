/** Index of the first character of `s` that occurs exactly once in `s`, or -1. */
export function firstUniqueChar(s: string): number {
  const counts = new Map<string, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  for (let i = 0; i < s.length; i++) if (counts.get(s[i]!) === 1) return i;
  return -1;
}
