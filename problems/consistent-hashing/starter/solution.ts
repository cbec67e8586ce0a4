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

export interface HashRingOptions {
  /** Virtual nodes (ring positions) per node: an integer from 1 to 100 000. */
  virtualNodes: number;
}

export class HashRing {
  constructor(options: HashRingOptions) {
    throw new Error('not implemented');
  }

  /** Number of nodes on the ring. */
  get size(): number {
    throw new Error('not implemented');
  }

  /** Adds a node with its virtual nodes; false (and no change) if it is already on the ring. */
  addNode(node: string): boolean {
    throw new Error('not implemented');
  }

  /** Removes a node and all its virtual nodes; false if it was not on the ring. */
  removeNode(node: string): boolean {
    throw new Error('not implemented');
  }

  /** The node that owns `key`, or null when the ring is empty. */
  nodeFor(key: string): string | null {
    throw new Error('not implemented');
  }
}
