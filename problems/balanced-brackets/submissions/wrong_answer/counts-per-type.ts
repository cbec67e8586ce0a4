// Counts each bracket type separately (never below zero, zero at the end): the order between
// types is lost, so "([)]" passes.
export function isBalanced(s: string): boolean {
  let round = 0;
  let square = 0;
  let curly = 0;
  for (const c of s) {
    if (c === '(') round++;
    else if (c === ')') round--;
    else if (c === '[') square++;
    else if (c === ']') square--;
    else if (c === '{') curly++;
    else if (c === '}') curly--;
    if (round < 0 || square < 0 || curly < 0) return false;
  }
  return round === 0 && square === 0 && curly === 0;
}
