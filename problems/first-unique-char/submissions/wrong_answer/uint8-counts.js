// Wrong: counts each UTF-16 code unit in a Uint8Array, which wraps at 256: a character seen 257
// times counts 1 again and is taken for unique ("a" × 257 + "b" gives 0, not 257). Right for
// every string in which no character occurs 256 times or more.
export function firstUniqueChar(s) {
  const counts = new Uint8Array(65536);
  for (let i = 0; i < s.length; i++) counts[s.charCodeAt(i)]++;
  for (let i = 0; i < s.length; i++) if (counts[s.charCodeAt(i)] === 1) return i;
  return -1;
}
