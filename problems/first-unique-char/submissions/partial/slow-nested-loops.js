// Compares every position with every other one (over an array of char codes): O(n²).
export function firstUniqueChar(s) {
  const codes = [];
  for (let i = 0; i < s.length; i++) codes.push(s.charCodeAt(i));
  const n = codes.length;
  for (let i = 0; i < n; i++) {
    let repeated = false;
    for (let j = 0; j < n; j++) {
      if (j !== i && codes[j] === codes[i]) {
        repeated = true;
        break;
      }
    }
    if (!repeated) return i;
  }
  return -1;
}
