/**
 * The ring's hash: maps a string (its UTF-16 code units) to an integer in [0, 2^53).
 * Use it exactly as given for both keys and virtual nodes, so that every client agrees on placement.
 * @param {string} text
 * @returns {number}
 */
export function hash53(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export class HashRing {
  /** @param {{ virtualNodes: number }} options  virtual nodes per node: an integer from 1 to 100 000 */
  constructor(options) {
    throw new Error('not implemented');
  }

  /** Number of nodes on the ring. @returns {number} */
  get size() {
    throw new Error('not implemented');
  }

  /**
   * Adds a node with its virtual nodes; false (and no change) if it is already on the ring.
   * @param {string} node
   * @returns {boolean}
   */
  addNode(node) {
    throw new Error('not implemented');
  }

  /**
   * Removes a node and all its virtual nodes; false if it was not on the ring.
   * @param {string} node
   * @returns {boolean}
   */
  removeNode(node) {
    throw new Error('not implemented');
  }

  /**
   * The node that owns `key`, or null when the ring is empty.
   * @param {string} key
   * @returns {string | null}
   */
  nodeFor(key) {
    throw new Error('not implemented');
  }
}
