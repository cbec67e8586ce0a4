// CommonJS, one pass: remember each character's first index, or -1 once it repeats. A Map keeps
// insertion order, which is the order of first occurrence, so the first entry still >= 0 wins.
'use strict';

function firstUniqueChar(s) {
  const firstIndex = new Map();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    firstIndex.set(c, firstIndex.has(c) ? -1 : i);
  }
  for (const index of firstIndex.values()) if (index >= 0) return index;
  return -1;
}

module.exports = { firstUniqueChar };
