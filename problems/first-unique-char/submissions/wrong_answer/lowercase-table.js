// Assumes only 'a'..'z' occur: counts go in a 26-slot array at charCode - 97, so any other
// character (capitals, digits, accents, spaces) is never counted as unique.
export function firstUniqueChar(s) {
  const counts = new Array(26).fill(0);
  for (let i = 0; i < s.length; i++) counts[s.charCodeAt(i) - 97]++;
  for (let i = 0; i < s.length; i++) if (counts[s.charCodeAt(i) - 97] === 1) return i;
  return -1;
}
