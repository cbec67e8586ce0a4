/**
 * Wrong: checks for wrap-around before the binary search with `h >= last position` instead of
 * `h > last position`, so a key that lands exactly on the ring's last position goes to the first
 * virtual node's node instead of its own. Every other key gets the right owner.
 */

/** The ring's hash: a 53-bit hash of the string's UTF-16 code units (given in the statement). */
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
  virtualNodes: number;
}

interface Point {
  pos: number;
  node: string;
}

function before(a: Point, b: Point): boolean {
  return a.pos < b.pos || (a.pos === b.pos && a.node < b.node);
}

export class HashRing {
  private readonly virtualNodes: number;
  private readonly nodes = new Set<string>();
  private points: Point[] = [];

  constructor(options: HashRingOptions) {
    const v = options?.virtualNodes;
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new RangeError('virtualNodes must be an integer from 1 to 100000');
    this.virtualNodes = v;
  }

  get size(): number {
    return this.nodes.size;
  }

  addNode(node: string): boolean {
    if (this.nodes.has(node)) return false;
    this.nodes.add(node);
    const fresh: Point[] = [];
    for (let i = 0; i < this.virtualNodes; i++) fresh.push({ pos: hash53(`${node}#${i}`), node });
    fresh.sort((a, b) => a.pos - b.pos);
    const merged: Point[] = new Array(this.points.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.points.length && j < fresh.length) merged[k++] = before(fresh[j]!, this.points[i]!) ? fresh[j++]! : this.points[i++]!;
    while (i < this.points.length) merged[k++] = this.points[i++]!;
    while (j < fresh.length) merged[k++] = fresh[j++]!;
    this.points = merged;
    return true;
  }

  removeNode(node: string): boolean {
    if (!this.nodes.delete(node)) return false;
    this.points = this.points.filter((p) => p.node !== node);
    return true;
  }

  nodeFor(key: string): string | null {
    const points = this.points;
    if (points.length === 0) return null;
    const h = hash53(key);
    // Past the last position: wrap around to the first (should be h > last).
    if (h >= points[points.length - 1]!.pos) return points[0]!.node;
    let lo = 0;
    let hi = points.length; // first point with pos >= h
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]!.pos < h) lo = mid + 1;
      else hi = mid;
    }
    return points[lo === points.length ? 0 : lo]!.node;
  }
}
