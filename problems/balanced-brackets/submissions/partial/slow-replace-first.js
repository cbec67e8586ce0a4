// Removes one pair per type per pass with String.replace (first occurrence only) while any pair
// is left: O(n) passes of O(n) each.
export function isBalanced(s) {
  let rest = s.replace(/[^()[\]{}]/g, '');
  while (rest.includes('()') || rest.includes('[]') || rest.includes('{}')) {
    rest = rest.replace('()', '').replace('[]', '').replace('{}', '');
  }
  return rest.length === 0;
}
