// Wrong: plain modulo hashing over the sorted node list. Simple and balanced, but when a node
// joins or leaves almost every key moves, which is what consistent hashing exists to avoid.
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
  private nodes: string[] = [];

  constructor(options: { virtualNodes: number }) {
    const v = options?.virtualNodes;
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new RangeError('bad virtualNodes');
  }

  get size(): number {
    return this.nodes.length;
  }

  addNode(node: string): boolean {
    if (this.nodes.includes(node)) return false;
    this.nodes = [...this.nodes, node].sort();
    return true;
  }

  removeNode(node: string): boolean {
    if (!this.nodes.includes(node)) return false;
    this.nodes = this.nodes.filter((n) => n !== node);
    return true;
  }

  nodeFor(key: string): string | null {
    if (this.nodes.length === 0) return null;
    return this.nodes[hash53(key) % this.nodes.length]!;
  }
}
