// Deletes every adjacent pair "()", "[]", "{}" until nothing changes: each pass costs O(n) and a
// string nested k levels deep needs k passes, so deeply nested input costs O(n²).
export function isBalanced(s: string): boolean {
  let rest = s.replace(/[^()[\]{}]/g, '');
  for (;;) {
    const next = rest.replace(/\(\)|\[\]|\{\}/g, '');
    if (next === rest) return rest.length === 0;
    rest = next;
  }
}
