// Wrong: treats virtualNodes as a ring-wide budget of virtualNodes × nodes positions, split
// evenly by share: each node gets Math.floor(share × virtualNodes × nodes) with share = 1 / nodes.
// In floating point (1 / 3) × 100 × 3 is 99.99999999999999, so with 3 nodes of 100 virtual nodes
// (the statement's example), and for many other counts (7 nodes of 5, 9 of 30, 12 of 200, …),
// each node gets one virtual node too few and the keys of the missing ones go to the wrong owner.
// The ring is rebuilt on every change.
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
  constructor(options) {
    const v = options?.virtualNodes;
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new RangeError('virtualNodes must be an integer from 1 to 100000');
    this.virtualNodes = v;
    this.nodes = new Set();
    this.points = [];
  }

  get size() {
    return this.nodes.size;
  }

  rebuild() {
    // each node's share of the ring-wide budget of virtualNodes × nodes positions
    const share = 1 / this.nodes.size;
    const perNode = Math.floor(share * this.virtualNodes * this.nodes.size);
    const points = [];
    for (const node of this.nodes) for (let i = 0; i < perNode; i++) points.push({ pos: hash53(`${node}#${i}`), node });
    points.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.points = points;
  }

  addNode(node) {
    if (this.nodes.has(node)) return false;
    this.nodes.add(node);
    this.rebuild();
    return true;
  }

  removeNode(node) {
    if (!this.nodes.delete(node)) return false;
    this.rebuild();
    return true;
  }

  nodeFor(key) {
    const points = this.points;
    if (points.length === 0) return null;
    const h = hash53(key);
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid].pos < h) lo = mid + 1;
      else hi = mid;
    }
    return points[lo === points.length ? 0 : lo].node;
  }
}
