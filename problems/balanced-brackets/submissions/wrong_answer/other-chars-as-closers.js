// Treats every character that is not an opener as a closer, so any letter or space makes the
// string unbalanced: "f(x)" fails.
module.exports.isBalanced = function isBalanced(str) {
  const stack = [];
  const map = { '(': ')', '[': ']', '{': '}' };
  for (let i = 0; i < str.length; i++) {
    const char = str[i];
    if (map[char]) {
      stack.push(char);
    } else {
      const last = stack.pop();
      if (char !== map[last]) return false;
    }
  }
  return stack.length === 0;
};
