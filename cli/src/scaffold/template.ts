/**
 * The files of a new problem package: a small module problem (a counter of keys) that validates as
 * it is, so an author starts from a package the grader already judges correctly and edits it.
 */
export interface ScaffoldFile {
  path: string;
  content: string;
}

export function packageFiles(id: string, title: string): ScaffoldFile[] {
  const problem = {
    id,
    title,
    version: '1.0.0',
    difficulty: 'easy',
    tags: ['hash-map'],
    estimatedMinutes: 15,
    kind: 'module',
    languages: ['typescript', 'javascript'],
    entry: { typescript: 'solution.ts', javascript: 'solution.js' },
    limits: { wallMs: 60000, memoryMb: 256, outputBytes: 65536, testTimeoutMs: 3000 },
    suites: { correctness: { weight: 100 } },
    reference: { language: 'typescript', path: 'reference/solution.ts' },
  };
  return [
    { path: 'problem.json', content: `${JSON.stringify(problem, null, 2)}\n` },
    { path: 'statement.md', content: STATEMENT(title) },
    { path: 'starter/solution.ts', content: STARTER_TS },
    { path: 'starter/solution.js', content: STARTER_JS },
    { path: 'reference/solution.ts', content: REFERENCE },
    { path: 'suites.ts', content: SUITES },
    { path: 'submissions/accepted/plain-object.js', content: ACCEPTED_JS },
    { path: 'submissions/wrong_answer/forgets-validation.ts', content: WRONG_VALIDATION },
    { path: 'submissions/wrong_answer/counts-from-zero.ts', content: WRONG_OFF_BY_ONE },
  ];
}

const STATEMENT = (title: string) => `# ${title}

Write a class \`Counter\` that counts how many times each key was added.

\`\`\`ts
export class Counter {
  add(key: string): number;   // counts one more \`key\` and returns its new count
  count(key: string): number; // how many times \`key\` was added (0 if never)
  get size(): number;         // how many distinct keys were added
}
\`\`\`

- Keys are strings; any other key is a \`TypeError\`.
- Keys are compared exactly: \`"a"\` and \`"A"\` are different keys.

## Example

\`\`\`ts
const c = new Counter();
c.add('a'); // 1
c.add('a'); // 2
c.count('a'); // 2
c.count('b'); // 0
c.size; // 1
\`\`\`

The sample tests are shown to you in full; hidden tests check the same rules on other inputs.
`;

const STARTER_TS = `export class Counter {
  add(key: string): number {
    throw new Error('not implemented');
  }

  count(key: string): number {
    throw new Error('not implemented');
  }

  get size(): number {
    throw new Error('not implemented');
  }
}
`;

const STARTER_JS = `export class Counter {
  add(key) {
    throw new Error('not implemented');
  }

  count(key) {
    throw new Error('not implemented');
  }

  get size() {
    throw new Error('not implemented');
  }
}
`;

const REFERENCE = `export class Counter {
  private readonly counts = new Map<string, number>();

  add(key: string): number {
    if (typeof key !== 'string') throw new TypeError('keys must be strings');
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }
}
`;

const ACCEPTED_JS = `// A plain object without a prototype as the table; a second, independent correct solution.
export class Counter {
  #counts = Object.create(null);
  #size = 0;

  add(key) {
    if (typeof key !== 'string') throw new TypeError('keys must be strings');
    if (!(key in this.#counts)) {
      this.#counts[key] = 0;
      this.#size++;
    }
    return ++this.#counts[key];
  }

  count(key) {
    return this.#counts[key] ?? 0;
  }

  get size() {
    return this.#size;
  }
}
`;

const WRONG_VALIDATION = `// Never checks the key's type, so add(42) counts the number instead of throwing a TypeError.
export class Counter {
  private readonly counts = new Map<unknown, number>();

  add(key: string): number {
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }
}
`;

const WRONG_OFF_BY_ONE = `// Returns the count before the add instead of after it.
export class Counter {
  private readonly counts = new Map<string, number>();

  add(key: string): number {
    if (typeof key !== 'string') throw new TypeError('keys must be strings');
    const before = this.counts.get(key) ?? 0;
    this.counts.set(key, before + 1);
    return before;
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }
}
`;

const SUITES = `import { defineSuites, expect, expectRejects, runModel, sample, test, type TestContext } from '@assay/sdk';

/** The interface the statement asks for. */
interface Counter {
  add(key: string): number;
  count(key: string): number;
  readonly size: number;
}

/** The behaviour the candidate must match (random tests compare every answer with it). */
class ModelCounter {
  private readonly counts = new Map<string, number>();
  add(key: string): number {
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  get size(): number {
    return this.counts.size;
  }
}

const counter = (ctx: TestContext) => ctx.construct<Counter>('Counter');

// Sample tests are shown to the candidate in full; hidden tests report only their name and status.
// Stress (concurrency), latency (against the reference) and complexity probes are further suites:
// see problems/README.md, and lru-cache or rate-limiter for models.
export default defineSuites({
  correctness: [
    sample('counts each key', async (ctx) => {
      const c = await counter(ctx);
      expect(await c.add('a'), 'add("a")').toBe(1);
      expect(await c.add('a'), 'add("a")').toBe(2);
      expect(await c.count('a'), 'count("a")').toBe(2);
      expect(await c.size, 'size').toBe(1);
    }),
    sample('a key never added counts 0', async (ctx) => {
      expect(await (await counter(ctx)).count('b'), 'count("b")').toBe(0);
    }),
    test('keys are compared exactly', async (ctx) => {
      const c = await counter(ctx);
      await c.add('a');
      await c.add('A');
      expect(await c.count('a'), 'count("a")').toBe(1);
      expect(await c.size, 'size').toBe(2);
    }),
    test('a key that is not a string is a TypeError', async (ctx) => {
      await expectRejects((await counter(ctx)).add(42 as unknown as string), 'TypeError', 'add(42)');
    }),
    test('random adds and counts match the model', async (ctx) =>
      runModel({
        model: new ModelCounter(),
        subject: await counter(ctx),
        rng: ctx.rng,
        steps: 300,
        ops: {
          add: { args: (rng) => [\`k\${rng.int(0, 20)}\`] },
          count: { args: (rng) => [\`k\${rng.int(0, 25)}\`] },
        },
        props: ['size'],
      })),
  ],
});
`;
