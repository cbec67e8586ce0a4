// Partial (slow): right owners, but every lookup scans all virtual nodes for the closest one
// clockwise: O(ring size) per nodeFor.
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

interface Point {
  pos: number;
  node: string;
}

export class HashRing {
  private readonly virtualNodes: number;
  private points: Point[] = [];
  private readonly nodes = new Set<string>();

  constructor(options: { virtualNodes: number }) {
    const v = options?.virtualNodes;
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new RangeError('bad virtualNodes');
    this.virtualNodes = v;
  }

  get size(): number {
    return this.nodes.size;
  }

  addNode(node: string): boolean {
    if (this.nodes.has(node)) return false;
    this.nodes.add(node);
    for (let i = 0; i < this.virtualNodes; i++) this.points.push({ pos: hash53(`${node}#${i}`), node });
    return true;
  }

  removeNode(node: string): boolean {
    if (!this.nodes.delete(node)) return false;
    this.points = this.points.filter((p) => p.node !== node);
    return true;
  }

  nodeFor(key: string): string | null {
    const h = hash53(key);
    let next: Point | undefined; // closest point clockwise from h
    let first: Point | undefined; // smallest point overall, for wrapping around
    for (const p of this.points) {
      if (p.pos >= h && (!next || p.pos < next.pos || (p.pos === next.pos && p.node < next.node))) next = p;
      if (!first || p.pos < first.pos || (p.pos === first.pos && p.node < first.node)) first = p;
    }
    return (next ?? first)?.node ?? null;
  }
}
