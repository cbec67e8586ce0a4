/**
 * True when every '(', '[' and '{' in `s` is closed by the matching bracket, in the right order.
 * Every other character is ignored.
 * @param {string} s
 * @returns {boolean}
 */
export function isBalanced(s) {
  throw new Error('not implemented');
}
