const OPENER_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** True when every (, [ and { is closed by the matching bracket in the right order; other characters are ignored. */
export function isBalanced(s: string): boolean {
  const open: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      if (open.pop() !== OPENER_OF[c]) return false;
    }
  }
  return open.length === 0;
}
