// CommonJS; a preallocated typed array as the stack, char codes instead of strings.
'use strict';

const OPEN = { 40: 1, 91: 2, 123: 3 }; // ( [ {
const CLOSE = { 41: 1, 93: 2, 125: 3 }; // ) ] }

function isBalanced(s) {
  const stack = new Uint8Array(s.length);
  let top = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const o = OPEN[code];
    if (o !== undefined) {
      stack[top++] = o;
      continue;
    }
    const c = CLOSE[code];
    if (c !== undefined && (top === 0 || stack[--top] !== c)) return false;
  }
  return top === 0;
}

module.exports = { isBalanced };
