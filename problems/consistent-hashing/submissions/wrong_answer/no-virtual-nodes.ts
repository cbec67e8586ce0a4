// Wrong: ignores virtualNodes and puts each node on the ring once, at hash53(node). Lookups are
// fast, but a few random points split the ring very unevenly (poor balance).
/**
 * The ring's hash: maps a string (its UTF-16 code units) to an integer in [0, 2^53).
 * Use it exactly as given for both keys and virtual nodes, so that every client agrees on placement.
 */
export function hash53(text: string): number {
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
  private points: Array<{ pos: number; node: string }> = [];

  constructor(options: { virtualNodes: number }) {
    const v = options?.virtualNodes;
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new RangeError('bad virtualNodes');
  }

  get size(): number {
    return this.points.length;
  }

  addNode(node: string): boolean {
    if (this.points.some((p) => p.node === node)) return false;
    this.points.push({ pos: hash53(node), node });
    this.points.sort((a, b) => a.pos - b.pos);
    return true;
  }

  removeNode(node: string): boolean {
    const before = this.points.length;
    this.points = this.points.filter((p) => p.node !== node);
    return this.points.length < before;
  }

  nodeFor(key: string): string | null {
    if (this.points.length === 0) return null;
    const h = hash53(key);
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]!.pos < h) lo = mid + 1;
      else hi = mid;
    }
    return this.points[lo % this.points.length]!.node;
  }
}
