/**
 * True when every '(', '[' and '{' in `s` is closed by the matching bracket, in the right order.
 * Every other character is ignored.
 */
export function isBalanced(s: string): boolean {
  throw new Error('not implemented');
}
