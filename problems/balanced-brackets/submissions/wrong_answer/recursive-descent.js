// Wrong: recursive descent, one call frame per open bracket. Right on every input it can finish,
// but a string nested tens of thousands of levels deep (the statement allows 200 000 characters,
// so 20 000 levels and more) overflows the call stack, and isBalanced throws a RangeError instead of
// answering.
export function isBalanced(s) {
  let i = 0;
  /** Reads up to and including `closer` (or to the end when closer is ''); false on a mismatch. */
  function group(closer) {
    while (i < s.length) {
      const c = s[i++];
      if (c === '(' && !group(')')) return false;
      if (c === '[' && !group(']')) return false;
      if (c === '{' && !group('}')) return false;
      if (c === ')' || c === ']' || c === '}') return c === closer;
    }
    return closer === '';
  }
  return group('');
}
