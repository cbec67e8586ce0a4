// Counts in a table indexed by UTF-16 code unit (65 536 entries), saturating at 2.
export function firstUniqueChar(s: string): number {
  const seen = new Uint8Array(65536);
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (seen[code]! < 2) seen[code]!++;
  }
  for (let i = 0; i < s.length; i++) if (seen[s.charCodeAt(i)] === 1) return i;
  return -1;
}
