// Pushes the closer each opener expects, then compares closers directly.
const EXPECT: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

export function isBalanced(s: string): boolean {
  const expected: string[] = [];
  for (const ch of s) {
    const want = EXPECT[ch];
    if (want) expected.push(want);
    else if (CLOSERS.has(ch) && expected.pop() !== ch) return false;
  }
  return expected.length === 0;
}
