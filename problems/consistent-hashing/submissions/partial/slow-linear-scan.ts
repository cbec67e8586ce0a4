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

export class HashRing {
  private readonly virtualNodes: number;
  /** One entry per virtual node, in no particular order. */
  private positions: number[] = [];
  private owners: string[] = [];
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
    for (let i = 0; i < this.virtualNodes; i++) {
      this.positions.push(hash53(`${node}#${i}`));
      this.owners.push(node);
    }
    return true;
  }

  removeNode(node: string): boolean {
    if (!this.nodes.delete(node)) return false;
    const keep = this.owners.map((o) => o !== node);
    this.positions = this.positions.filter((_, i) => keep[i]);
    this.owners = this.owners.filter((_, i) => keep[i]);
    return true;
  }

  nodeFor(key: string): string | null {
    const h = hash53(key);
    let next = -1; // closest virtual node clockwise from h
    let first = -1; // smallest position overall, for wrapping around
    for (let i = 0; i < this.positions.length; i++) {
      const p = this.positions[i]!;
      if (p >= h && (next < 0 || p < this.positions[next]! || (p === this.positions[next]! && this.owners[i]! < this.owners[next]!)))
        next = i;
      if (first < 0 || p < this.positions[first]! || (p === this.positions[first]! && this.owners[i]! < this.owners[first]!)) first = i;
    }
    const at = next >= 0 ? next : first;
    return at >= 0 ? this.owners[at]! : null;
  }
}
