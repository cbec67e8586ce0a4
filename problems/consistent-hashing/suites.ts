import { concurrently, defineSuites, expect, expectRejects, fail, sample, test } from '@assay/sdk';
import type { Rng, TestContext } from '@assay/sdk';

/** The interface the statement asks for. */
interface HashRing {
  readonly size: number;
  addNode(node: string): boolean;
  removeNode(node: string): boolean;
  nodeFor(key: string): string | null;
}

/** The ring's hash, as given in the statement. */
function hash53(text: string): number {
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

type Point = { pos: number; node: string };

/** The ring the rules describe: every node's virtual nodes, by position (ties by node id). */
function positions(virtualNodes: number, nodes: Iterable<string>): Point[] {
  const points = [...nodes].flatMap((node) => Array.from({ length: virtualNodes }, (_, i) => ({ pos: hash53(`${node}#${i}`), node })));
  return points.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** The owner the rules give `key`: the first position clockwise, wrapping around; null on an empty ring. */
function ownerOf(points: Point[], key: string): string | null {
  const h = hash53(key);
  return (points.find((p) => p.pos >= h) ?? points[0])?.node ?? null;
}

/**
 * The candidate's ring with `nodes` added in order. `placed` is the node set the expected owners
 * come from: a test that changes the ring changes it too.
 */
async function withNodes(ctx: TestContext, virtualNodes: number, nodes: string[] = []) {
  const ring = await ctx.construct<HashRing>('HashRing', { virtualNodes });
  for (const n of nodes) await ring.addNode(n);
  const placed = new Set(nodes);
  // nodeFor is a pure read, so many lookups may be in flight at once
  const owners = (keys: string[]) => concurrently(keys.length, (i) => ring.nodeFor(keys[i]!), 500);
  /** `got[i]` must be the owner of `keys[i]` the rules give. */
  const expectRules = (keys: string[], got: unknown[], what = '') => {
    const points = positions(virtualNodes, placed);
    keys.forEach((k, i) => expect(got[i], `${what}nodeFor(${JSON.stringify(k)})`).toBe(ownerOf(points, k)));
  };
  const expectOwners = async (keys: string[], what?: string) => expectRules(keys, await owners(keys), what);
  return { ring, placed, owners, expectRules, expectOwners };
}

/** With `nodes` on the ring, every key (those drawn, or that many random ones) gets the owner the rules give. */
const exactOwners = (virtualNodes: number, nodes: string[], keys: number | ((rng: Rng) => string[])) => async (ctx: TestContext) =>
  (await withNodes(ctx, virtualNodes, nodes)).expectOwners(typeof keys === 'number' ? randomKeys(ctx.rng, keys) : keys(ctx.rng));

const randomKeys = (rng: Rng, count: number, prefix = 'key') => Array.from({ length: count }, () => `${prefix}:${rng.int(0, 1e9)}`);
const names = (count: number, prefix = 'node') => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
const SAMPLE_KEYS = ['user:1', 'user:2', 'user:3', 'user:4', 'user:5', 'user:6', 'user:7', 'user:8', 'session:x', 'session:y'];
const UNICODE_KEYS = ['🔑', 'ключ-1', 'clé:ç', 'キー', 'a\u0000b'];
/**
 * (nodes, virtual nodes) pairs common in practice, among them several where a split of a global
 * count, Math.floor((1 / nodes) * virtualNodes * nodes), gives each node one virtual node fewer.
 */
// prettier-ignore
const SPREAD = [[2, 3], [3, 50], [3, 100], [5, 7], [6, 100], [7, 5], [7, 10], [7, 160], [9, 30], [11, 13], [12, 200]] as const;
/** Each node's first and last virtual node (keys that hash exactly onto them), and random keys. */
const edgeKeys = (rng: Rng, virtualNodes: number, nodes: string[], count: number) => [
  ...nodes.flatMap((n) => [`${n}#0`, `${n}#${virtualNodes - 1}`]),
  ...randomKeys(rng, count),
];

export default defineSuites({
  correctness: [
    sample('an empty ring has no owner; a single node owns every key', async (ctx) => {
      const { ring } = await withNodes(ctx, 8);
      expect(await ring.nodeFor('user:42'), 'nodeFor("user:42") on an empty ring').toBe(null);
      expect(await ring.size, 'size').toBe(0);
      expect(await ring.addNode('cache-a'), 'addNode("cache-a")').toBe(true);
      expect(await ring.size, 'size').toBe(1);
      for (const k of ['user:42', 'order:7', '', 'ünïcödé']) expect(await ring.nodeFor(k), `nodeFor(${JSON.stringify(k)})`).toBe('cache-a');
    }),
    sample(
      'keys go to the first virtual node clockwise (3 nodes, 4 virtual nodes each)',
      exactOwners(4, ['cache-a', 'cache-b', 'cache-c'], () => SAMPLE_KEYS),
    ),
    sample('adding a node moves keys only onto the new node', async (ctx) => {
      const { ring, placed, owners, expectRules } = await withNodes(ctx, 50, ['cache-a', 'cache-b', 'cache-c', 'cache-d']);
      const keys = numbered('user', 200);
      const before = await owners(keys);
      expectRules(keys, before, 'before adding cache-e: ');
      expect(await ring.addNode('cache-e'), 'addNode("cache-e")').toBe(true);
      const after = await owners(keys);
      keys.forEach((k, i) => {
        if (after[i] !== before[i])
          expect(after[i], `owner of ${k} after adding cache-e (it moved from ${String(before[i])})`).toBe('cache-e');
      });
      placed.add('cache-e');
      expectRules(keys, after, 'after adding cache-e: ');
    }),
    sample('removing a node hands over only its own keys', async (ctx) => {
      const { ring, owners } = await withNodes(ctx, 50, ['cache-a', 'cache-b', 'cache-c']);
      const keys = numbered('order', 200);
      const before = await owners(keys);
      expect(await ring.removeNode('cache-b'), 'removeNode("cache-b")').toBe(true);
      expect(await ring.removeNode('cache-b'), 'removeNode("cache-b") again').toBe(false);
      expect(await ring.size, 'size').toBe(2);
      const after = await owners(keys);
      keys.forEach((k, i) => {
        if (before[i] !== 'cache-b') expect(after[i], `owner of ${k} (was ${String(before[i])})`).toBe(before[i]);
        else expect(after[i] === 'cache-a' || after[i] === 'cache-c', `owner of ${k} (was cache-b) is cache-a or cache-c`).toBe(true);
      });
    }),

    test(
      'exact owners after a random series of adds and removes (160 virtual nodes)',
      async (ctx) => {
        const { ring, placed, expectOwners } = await withNodes(ctx, 160);
        const pool = names(12, 'shard');
        for (let step = 0; step < 14; step++) {
          const node = ctx.rng.pick(pool);
          const known = placed.has(node);
          if (placed.size < 2 || ctx.rng.next() < 0.65) {
            placed.add(node);
            expect(await ring.addNode(node), `step ${step}: addNode(${node})`).toBe(!known);
          } else {
            placed.delete(node);
            expect(await ring.removeNode(node), `step ${step}: removeNode(${node})`).toBe(known);
          }
          expect(await ring.size, `step ${step}: size`).toBe(placed.size);
          await expectOwners(randomKeys(ctx.rng, 150), `step ${step}: `);
        }
      },
      { timeoutMs: 10_000 },
    ),
    test('exact owners with one virtual node per node', exactOwners(1, names(7, 'db'), 1000), { timeoutMs: 5000 }),
    test('a key that lands exactly on a virtual node belongs to that node', async (ctx) => {
      const nodes = ['alpha', 'beta', 'gamma', 'delta'];
      const { ring } = await withNodes(ctx, 20, nodes);
      for (const n of nodes)
        for (const i of [0, 1, 7, 19])
          expect(await ring.nodeFor(`${n}#${i}`), `nodeFor("${n}#${i}") (the position of ${n}'s virtual node ${i})`).toBe(n);
    }),
    test('the statement’s example: 100 virtual nodes, cache-a, cache-b and cache-c, then cache-c removed', async (ctx) => {
      const nodes = ['cache-a', 'cache-b', 'cache-c'];
      const { ring, placed, expectOwners } = await withNodes(ctx, 100, nodes);
      const keys = ['user:42', ...edgeKeys(ctx.rng, 100, nodes, 300)];
      await expectOwners(keys, 'with cache-a, cache-b, cache-c: ');
      expect(await ring.removeNode('cache-c'), 'removeNode("cache-c")').toBe(true);
      placed.delete('cache-c');
      await expectOwners(keys, 'after removing cache-c: ');
    }),
    test(
      'exact owners for a spread of node and virtual-node counts',
      async (ctx) => {
        for (const [count, virtualNodes] of SPREAD) {
          const nodes = names(count, 'cache');
          const { expectOwners } = await withNodes(ctx, virtualNodes, nodes);
          await expectOwners(edgeKeys(ctx.rng, virtualNodes, nodes, 100), `${count} nodes, ${virtualNodes} virtual nodes each: `);
        }
      },
      { timeoutMs: 15_000 },
    ),
    test('keys exactly on the ring’s first and last positions', async (ctx) => {
      // prettier-ignore
      const rings: [number, string[]][] = [
        [2, ['east', 'west', 'north']], [4, ['cache-a', 'cache-b', 'cache-c']], [100, ['cache-a', 'cache-b', 'cache-c']], [1, names(7, 'db')],
      ];
      for (const [virtualNodes, nodes] of rings) {
        const points = positions(virtualNodes, nodes);
        const at = (pos: number) => {
          for (const n of nodes) for (let i = 0; i < virtualNodes; i++) if (hash53(`${n}#${i}`) === pos) return `${n}#${i}`;
          return fail('test setup: no virtual node at that position');
        };
        const [first, last] = [points[0]!, points.at(-1)!];
        const { ring } = await withNodes(ctx, virtualNodes, nodes);
        const ringWhat = `${nodes.length} nodes with ${virtualNodes} virtual nodes: `;
        expect(await ring.nodeFor(at(first.pos)), `${ringWhat}nodeFor("${at(first.pos)}") (the first position)`).toBe(first.node);
        expect(await ring.nodeFor(at(last.pos)), `${ringWhat}nodeFor("${at(last.pos)}") (the last position)`).toBe(last.node);
      }
    }),
    test('keys past the last virtual node wrap around to the first', async (ctx) => {
      const nodes = ['east', 'west', 'north'];
      const { expectOwners } = await withNodes(ctx, 2, nodes);
      const last = positions(2, nodes).at(-1)!.pos;
      const wrapping: string[] = [];
      for (let i = 0; wrapping.length < 40 && i < 200_000; i++) {
        const k = `wrap:${ctx.rng.int(0, 1_000_000_000)}`;
        if (hash53(k) > last) wrapping.push(k);
      }
      if (wrapping.length < 40) fail('test setup: not enough wrapping keys');
      await expectOwners(wrapping);
    }),
    test('adding an existing node or removing an unknown one changes nothing', async (ctx) => {
      const { ring, owners } = await withNodes(ctx, 30, ['a', 'b', 'c']);
      const keys = randomKeys(ctx.rng, 300);
      const before = await owners(keys);
      expect(await ring.addNode('b'), 'addNode("b") again').toBe(false);
      expect(await ring.removeNode('zzz'), 'removeNode("zzz")').toBe(false);
      expect(await ring.size, 'size').toBe(3);
      expect(await owners(keys), 'owners after the no-op calls').toEqual(before);
      expect(await ring.removeNode('b'), 'removeNode("b")').toBe(true);
      expect(await ring.addNode('b'), 'addNode("b") after removing it').toBe(true);
      expect(await owners(keys), 'owners after removing and re-adding b').toEqual(before);
    }),
    test('removing every node empties the ring', async (ctx) => {
      const { ring } = await withNodes(ctx, 10, ['x', 'y']);
      await ring.removeNode('x');
      expect(await ring.nodeFor('k1'), 'nodeFor("k1") with only y').toBe('y');
      await ring.removeNode('y');
      expect(await ring.size, 'size').toBe(0);
      expect(await ring.nodeFor('k1'), 'nodeFor("k1") on an emptied ring').toBe(null);
      await ring.addNode('z');
      expect(await ring.nodeFor('k1'), 'nodeFor("k1") after adding z').toBe('z');
    }),
    test(
      'keys spread evenly: with 200 virtual nodes each of 10 nodes owns 75%–135% of its fair share',
      async (ctx) => {
        const nodes = names(10);
        const { owners, expectRules } = await withNodes(ctx, 200, nodes);
        const keys = randomKeys(ctx.rng, 20_000, 'user');
        const got = await owners(keys);
        for (const n of nodes) {
          const share = got.filter((o) => o === n).length / (keys.length / nodes.length);
          expect(share >= 0.75 && share <= 1.35, `share of keys on ${n} relative to a fair share (${share.toFixed(2)})`).toBe(true);
        }
        expectRules(keys, got);
      },
      { timeoutMs: 15_000 },
    ),
    test(
      'a node joining takes about 1/N of the keys and nothing else moves',
      async (ctx) => {
        const { ring, owners } = await withNodes(ctx, 100, names(10));
        const keys = randomKeys(ctx.rng, 5000);
        const before = await owners(keys);
        await ring.addNode('node-10');
        const after = await owners(keys);
        const moved = keys.flatMap((k, i) => (after[i] === before[i] ? [] : [[k, after[i]] as const]));
        for (const [k, owner] of moved) expect(owner, `new owner of ${k}`).toBe('node-10');
        const what = `keys moved when an 11th node joined (${moved.length} of ${keys.length})`;
        expect(moved.length > 0 && moved.length <= (2 * keys.length) / 11, what).toBe(true);
        await ring.removeNode('node-10');
        expect(await owners(keys), 'owners after node-10 left again').toEqual(before);
      },
      { timeoutMs: 10_000 },
    ),
    test(
      'positions hash UTF-16 code units of node ids and keys',
      exactOwners(16, ['nœud-é', 'ノード', 'node-🚀', 'plain'], (rng) => [...UNICODE_KEYS, ...randomKeys(rng, 200, '🍕')]),
    ),
    test('many nodes with few virtual nodes', exactOwners(5, names(300, 'host'), 2000), { timeoutMs: 10_000 }),
    test('invalid virtualNodes throws a RangeError', async (ctx) => {
      for (const opts of [{ virtualNodes: 0 }, { virtualNodes: -4 }, { virtualNodes: 2.5 }, { virtualNodes: 100_001 }, {}])
        await expectRejects(ctx.construct('HashRing', opts), 'RangeError', `new HashRing(${JSON.stringify(opts)})`);
      await withNodes(ctx, 100_000);
    }),
  ],
  complexity: [
    {
      operation: 'nodeFor',
      // 4 nodes with n/4 virtual nodes each: a ring of n points; lookups of random keys.
      workload: (n, rng) => ({
        construct: { className: 'HashRing', args: [{ virtualNodes: n / 4 }] },
        // One untimed lookup after the adds, so work deferred to the first lookup is not timed.
        setup: [
          { method: 'addNode', argsList: [['node-0'], ['node-1'], ['node-2'], ['node-3']] },
          { method: 'nodeFor', argsList: [['warm-up']] },
        ],
        measure: { method: 'nodeFor', argsList: Array.from({ length: 1000 }, () => [`key:${rng.int(0, 1_000_000_000)}`]) },
      }),
    },
  ],
});
