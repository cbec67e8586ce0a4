// Counts in a plain object, then walks its keys expecting insertion order. JavaScript lists
// integer-like keys ("0".."9") first, in numeric order, so in "ba0b" it answers the '0' (2)
// instead of the 'a' (1).
export function firstUniqueChar(s) {
  const counts = {};
  for (const c of s) counts[c] = (counts[c] || 0) + 1;
  for (const c in counts) if (counts[c] === 1) return s.indexOf(c);
  return -1;
}
