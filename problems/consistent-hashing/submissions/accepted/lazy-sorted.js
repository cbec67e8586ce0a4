// Accepted (JavaScript, ES module): positions kept in a Map per node; the sorted arrays used by
// lookups are rebuilt lazily on the first lookup after a change, then binary searched.
/**
 * The ring's hash: maps a string (its UTF-16 code units) to an integer in [0, 2^53).
 * Use it exactly as given for both keys and virtual nodes, so that every client agrees on placement.
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
  constructor({ virtualNodes } = {}) {
    if (!Number.isInteger(virtualNodes) || virtualNodes < 1 || virtualNodes > 100000) {
      throw new RangeError('virtualNodes must be an integer from 1 to 100000');
    }
    this.virtualNodes = virtualNodes;
    this.byNode = new Map(); // node -> positions
    this.positions = null; // Float64Array, sorted, rebuilt lazily
    this.owners = null;
  }

  get size() {
    return this.byNode.size;
  }

  addNode(node) {
    if (this.byNode.has(node)) return false;
    const positions = [];
    for (let i = 0; i < this.virtualNodes; i++) positions.push(hash53(`${node}#${i}`));
    this.byNode.set(node, positions);
    this.positions = null;
    return true;
  }

  removeNode(node) {
    if (!this.byNode.delete(node)) return false;
    this.positions = null;
    return true;
  }

  rebuild() {
    const points = [];
    for (const [node, positions] of this.byNode) for (const pos of positions) points.push({ pos, node });
    points.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.positions = Float64Array.from(points, (p) => p.pos);
    this.owners = points.map((p) => p.node);
  }

  nodeFor(key) {
    if (this.byNode.size === 0) return null;
    if (this.positions === null) this.rebuild();
    const h = hash53(key);
    const pos = this.positions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === pos.length ? 0 : lo];
  }
}
