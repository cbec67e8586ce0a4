import { defineSuites, expect, expectRejects, fail, sample, test, type RemoteObject, type Rng, type TestContext } from '@assay/sdk';

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

/** The placement rules of the statement, driver side, to compute expected owners. */
class Model {
  private readonly nodes = new Set<string>();
  private points: Array<{ pos: number; node: string }> = [];
  constructor(private readonly virtualNodes: number) {}
  add(node: string): boolean {
    if (this.nodes.has(node)) return false;
    this.nodes.add(node);
    for (let i = 0; i < this.virtualNodes; i++) this.points.push({ pos: hash53(`${node}#${i}`), node });
    this.points.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    return true;
  }
  remove(node: string): boolean {
    if (!this.nodes.delete(node)) return false;
    this.points = this.points.filter((p) => p.node !== node);
    return true;
  }
  get size(): number {
    return this.nodes.size;
  }
  ownerOf(key: string): string | null {
    if (this.points.length === 0) return null;
    const h = hash53(key);
    const hit = this.points.find((p) => p.pos >= h) ?? this.points[0]!;
    return hit.node;
  }
  /** Largest point position (keys hashing above it wrap around to the first point). */
  get maxPos(): number {
    return this.points.length ? this.points[this.points.length - 1]!.pos : -1;
  }
}

async function ring(ctx: TestContext, virtualNodes: number, nodes: string[] = []): Promise<RemoteObject> {
  const r = await ctx.subject.construct('HashRing', { virtualNodes });
  for (const n of nodes) await r.call('addNode', n);
  return r;
}

/** nodeFor is a pure read, so many lookups may be in flight at once. */
async function owners(r: RemoteObject, keys: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < keys.length; i += 500) out.push(...(await Promise.all(keys.slice(i, i + 500).map((k) => r.call('nodeFor', k)))));
  return out;
}

async function expectOwners(r: RemoteObject, model: Model, keys: string[], what: string): Promise<void> {
  const got = await owners(r, keys);
  keys.forEach((k, i) => expect(got[i], `${what}: nodeFor(${JSON.stringify(k)})`).toBe(model.ownerOf(k)));
}

function randomKeys(rng: Rng, count: number, prefix = 'key'): string[] {
  return Array.from({ length: count }, () => `${prefix}:${rng.int(0, 1_000_000_000)}`);
}

function names(count: number, prefix = 'node'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

export default defineSuites({
  correctness: [
    sample('an empty ring has no owner; a single node owns every key', async (ctx) => {
      const r = await ring(ctx, 8);
      expect(await r.call('nodeFor', 'user:42'), 'nodeFor("user:42") on an empty ring').toBe(null);
      expect(await r.prop('size'), 'size').toBe(0);
      expect(await r.call('addNode', 'cache-a'), 'addNode("cache-a")').toBe(true);
      expect(await r.prop('size'), 'size').toBe(1);
      for (const k of ['user:42', 'order:7', '', 'ünïcödé'])
        expect(await r.call('nodeFor', k), `nodeFor(${JSON.stringify(k)})`).toBe('cache-a');
    }),
    sample('keys go to the first virtual node clockwise (3 nodes, 4 virtual nodes each)', async (ctx) => {
      const nodes = ['cache-a', 'cache-b', 'cache-c'];
      const r = await ring(ctx, 4, nodes);
      const model = new Model(4);
      nodes.forEach((n) => model.add(n));
      await expectOwners(
        r,
        model,
        ['user:1', 'user:2', 'user:3', 'user:4', 'user:5', 'user:6', 'user:7', 'user:8', 'session:x', 'session:y'],
        'ring',
      );
    }),
    sample('adding a node moves keys only onto the new node', async (ctx) => {
      const r = await ring(ctx, 50, ['cache-a', 'cache-b', 'cache-c', 'cache-d']);
      const model = new Model(50);
      ['cache-a', 'cache-b', 'cache-c', 'cache-d'].forEach((n) => model.add(n));
      const keys = Array.from({ length: 200 }, (_, i) => `user:${i}`);
      const before = await owners(r, keys);
      keys.forEach((k, i) => expect(before[i], `before adding cache-e: nodeFor(${JSON.stringify(k)})`).toBe(model.ownerOf(k)));
      expect(await r.call('addNode', 'cache-e'), 'addNode("cache-e")').toBe(true);
      const after = await owners(r, keys);
      keys.forEach((k, i) => {
        if (after[i] !== before[i])
          expect(after[i], `owner of ${k} after adding cache-e (it moved from ${String(before[i])})`).toBe('cache-e');
      });
      model.add('cache-e');
      keys.forEach((k, i) => expect(after[i], `after adding cache-e: nodeFor(${JSON.stringify(k)})`).toBe(model.ownerOf(k)));
    }),
    sample('removing a node hands over only its own keys', async (ctx) => {
      const r = await ring(ctx, 50, ['cache-a', 'cache-b', 'cache-c']);
      const keys = Array.from({ length: 200 }, (_, i) => `order:${i}`);
      const before = await owners(r, keys);
      expect(await r.call('removeNode', 'cache-b'), 'removeNode("cache-b")').toBe(true);
      expect(await r.call('removeNode', 'cache-b'), 'removeNode("cache-b") again').toBe(false);
      expect(await r.prop('size'), 'size').toBe(2);
      const after = await owners(r, keys);
      keys.forEach((k, i) => {
        if (before[i] !== 'cache-b') expect(after[i], `owner of ${k} (was ${String(before[i])})`).toBe(before[i]);
        else expect(after[i] === 'cache-a' || after[i] === 'cache-c', `owner of ${k} (was cache-b) is cache-a or cache-c`).toBe(true);
      });
    }),

    test(
      'exact owners after a random series of adds and removes (160 virtual nodes)',
      async (ctx) => {
        const r = await ring(ctx, 160);
        const model = new Model(160);
        const pool = names(12, 'shard');
        for (let step = 0; step < 14; step++) {
          const node = ctx.rng.pick(pool);
          const add = model.size < 2 || ctx.rng.next() < 0.65;
          if (add) expect(await r.call('addNode', node), `step ${step}: addNode(${node})`).toBe(model.add(node));
          else expect(await r.call('removeNode', node), `step ${step}: removeNode(${node})`).toBe(model.remove(node));
          expect(await r.prop('size'), `step ${step}: size`).toBe(model.size);
          await expectOwners(r, model, randomKeys(ctx.rng, 150), `step ${step}`);
        }
      },
      { timeoutMs: 10_000 },
    ),
    test(
      'exact owners with one virtual node per node',
      async (ctx) => {
        const nodes = names(7, 'db');
        const r = await ring(ctx, 1, nodes);
        const model = new Model(1);
        nodes.forEach((n) => model.add(n));
        await expectOwners(r, model, randomKeys(ctx.rng, 1000), 'v=1');
      },
      { timeoutMs: 5000 },
    ),
    test('a key that lands exactly on a virtual node belongs to that node', async (ctx) => {
      const nodes = ['alpha', 'beta', 'gamma', 'delta'];
      const r = await ring(ctx, 20, nodes);
      for (const n of nodes)
        for (const i of [0, 1, 7, 19])
          expect(await r.call('nodeFor', `${n}#${i}`), `nodeFor("${n}#${i}") (the position of ${n}'s virtual node ${i})`).toBe(n);
    }),
    test('keys past the last virtual node wrap around to the first', async (ctx) => {
      const nodes = ['east', 'west', 'north'];
      const model = new Model(2);
      nodes.forEach((n) => model.add(n));
      const wrapping: string[] = [];
      for (let i = 0; wrapping.length < 40 && i < 200_000; i++) {
        const k = `wrap:${ctx.rng.int(0, 1_000_000_000)}`;
        if (hash53(k) > model.maxPos) wrapping.push(k);
      }
      if (wrapping.length < 40) fail('test setup: not enough wrapping keys');
      const r = await ring(ctx, 2, nodes);
      await expectOwners(r, model, wrapping, 'wrap-around');
    }),
    test('adding an existing node or removing an unknown one changes nothing', async (ctx) => {
      const r = await ring(ctx, 30, ['a', 'b', 'c']);
      const keys = randomKeys(ctx.rng, 300);
      const before = await owners(r, keys);
      expect(await r.call('addNode', 'b'), 'addNode("b") again').toBe(false);
      expect(await r.call('removeNode', 'zzz'), 'removeNode("zzz")').toBe(false);
      expect(await r.prop('size'), 'size').toBe(3);
      expect(await owners(r, keys), 'owners after the no-op calls').toEqual(before);
      expect(await r.call('removeNode', 'b'), 'removeNode("b")').toBe(true);
      expect(await r.call('addNode', 'b'), 'addNode("b") after removing it').toBe(true);
      expect(await owners(r, keys), 'owners after removing and re-adding b').toEqual(before);
    }),
    test('removing every node empties the ring', async (ctx) => {
      const r = await ring(ctx, 10, ['x', 'y']);
      await r.call('removeNode', 'x');
      expect(await r.call('nodeFor', 'k1'), 'nodeFor("k1") with only y').toBe('y');
      await r.call('removeNode', 'y');
      expect(await r.prop('size'), 'size').toBe(0);
      expect(await r.call('nodeFor', 'k1'), 'nodeFor("k1") on an emptied ring').toBe(null);
      await r.call('addNode', 'z');
      expect(await r.call('nodeFor', 'k1'), 'nodeFor("k1") after adding z').toBe('z');
    }),
    test(
      'keys spread evenly: with 200 virtual nodes each of 10 nodes owns 75%–135% of its fair share',
      async (ctx) => {
        const nodes = names(10);
        const r = await ring(ctx, 200, nodes);
        const model = new Model(200);
        nodes.forEach((n) => model.add(n));
        const keys = randomKeys(ctx.rng, 20_000, 'user');
        const got = await owners(r, keys);
        const counts = new Map<unknown, number>();
        got.forEach((o) => counts.set(o, (counts.get(o) ?? 0) + 1));
        for (const n of nodes) {
          const share = (counts.get(n) ?? 0) / (keys.length / nodes.length);
          expect(share >= 0.75 && share <= 1.35, `share of keys on ${n} relative to a fair share (${share.toFixed(2)})`).toBe(true);
        }
        keys.forEach((k, i) => expect(got[i], `nodeFor(${JSON.stringify(k)})`).toBe(model.ownerOf(k)));
      },
      { timeoutMs: 15_000 },
    ),
    test(
      'a node joining takes about 1/N of the keys and nothing else moves',
      async (ctx) => {
        const nodes = names(10);
        const r = await ring(ctx, 100, nodes);
        const keys = randomKeys(ctx.rng, 5000);
        const before = await owners(r, keys);
        await r.call('addNode', 'node-10');
        const after = await owners(r, keys);
        let moved = 0;
        keys.forEach((k, i) => {
          if (before[i] === after[i]) return;
          moved++;
          expect(after[i], `new owner of ${k}`).toBe('node-10');
        });
        expect(moved > 0 && moved <= (2 * keys.length) / 11, `keys moved when an 11th node joined (${moved} of ${keys.length})`).toBe(true);
        await r.call('removeNode', 'node-10');
        expect(await owners(r, keys), 'owners after node-10 left again').toEqual(before);
      },
      { timeoutMs: 10_000 },
    ),
    test('positions hash UTF-16 code units of node ids and keys', async (ctx) => {
      const nodes = ['nœud-é', 'ノード', 'node-🚀', 'plain'];
      const r = await ring(ctx, 16, nodes);
      const model = new Model(16);
      nodes.forEach((n) => model.add(n));
      const keys = ['🔑', 'ключ-1', 'clé:ç', 'キー', 'a\u0000b', ...randomKeys(ctx.rng, 200, '🍕')];
      await expectOwners(r, model, keys, 'unicode');
    }),
    test(
      'many nodes with few virtual nodes',
      async (ctx) => {
        const nodes = names(300, 'host');
        const r = await ring(ctx, 5, nodes);
        const model = new Model(5);
        nodes.forEach((n) => model.add(n));
        await expectOwners(r, model, randomKeys(ctx.rng, 2000), '300 nodes');
      },
      { timeoutMs: 10_000 },
    ),
    test('invalid virtualNodes throws a RangeError', async (ctx) => {
      for (const opts of [{ virtualNodes: 0 }, { virtualNodes: -4 }, { virtualNodes: 2.5 }, { virtualNodes: 100_001 }, {}]) {
        await expectRejects(ctx.subject.construct('HashRing', opts), 'RangeError', `new HashRing(${JSON.stringify(opts)})`);
      }
      await ring(ctx, 100_000);
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
