import { describe, expect, it } from 'vitest';
import { AssertionFailure } from './errors';
import { runModel } from './model';
import { mulberry32, rngFrom } from './random';
import { remote } from './remote';
import { localRemote } from './testing';

class Counter {
  n = 0;
  get value(): number {
    return this.n;
  }
  add(k: number): number {
    if (k < 0) throw new RangeError('negative');
    return (this.n += k);
  }
  reset(): void {
    this.n = 0;
  }
}

/** Right until its total passes 20, then one off. */
class DriftingCounter extends Counter {
  override add(k: number): number {
    if (k < 0) throw new RangeError('negative');
    this.n += k;
    return this.n > 20 ? this.n + 1 : this.n;
  }
}

const ops = {
  add: { weight: 3, args: (rng: ReturnType<typeof rngFrom>) => [rng.int(0, 5)] },
  reset: { args: () => [], compare: false },
};

async function failureOf(p: Promise<void>): Promise<AssertionFailure> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AssertionFailure);
    return e as AssertionFailure;
  }
  throw new Error('expected a failure');
}

describe('runModel', () => {
  it('passes when the subject behaves like the model', async () => {
    const raw = localRemote(new Counter());
    await runModel({
      model: new Counter(),
      subject: remote(raw),
      rng: rngFrom(mulberry32(1)),
      steps: 200,
      ops,
      props: ['value'],
      every: 10,
    });
    expect(raw.log.filter((l) => l === 'prop value')).toHaveLength(21);
  });

  it('reports the first divergence with the operations before it', async () => {
    const raw = localRemote(new DriftingCounter());
    const model = new Counter();
    const e = await failureOf(
      runModel({ model, subject: raw, rng: rngFrom(mulberry32(2)), steps: 500, ops: { add: ops.add }, label: 'seed 2' }),
    );
    // the first add whose total passes 20: the model stopped right there
    expect(model.n).toBeGreaterThan(20);
    expect(e.expected).toBe(model.n);
    expect(e.actual).toBe(model.n + 1);
    const m = /^seed 2, after (\d+) operations \(last (\d+): (.*)\): add\((\d)\) returned (\d+), expected (\d+)$/.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(Number(m![2])).toBe(Math.min(8, Number(m![1])));
    expect(m![3]!.split(', ').at(-1)).toMatch(/^add\(\d\) → \d+$/);
  });

  it('checks properties periodically and at the end', async () => {
    class Lagging extends Counter {
      override get value(): number {
        return this.n > 0 ? this.n - 1 : 0;
      }
    }
    const e = await failureOf(
      runModel({
        model: new Counter(),
        subject: localRemote(new Lagging()),
        rng: rngFrom(mulberry32(3)),
        steps: 7,
        ops: { add: ops.add },
        props: ['value'],
        every: 100,
      }),
    );
    expect(e.message).toMatch(/^after 7 operations \(last 7: .*\): value is \d+, expected \d+$/);
  });

  it('expects the model’s errors from the subject, by name', async () => {
    const neg = { add: { args: () => [-1] } };
    await runModel({ model: new Counter(), subject: localRemote(new Counter()), rng: rngFrom(mulberry32(4)), steps: 3, ops: neg });
    class Lenient extends Counter {
      override add(k: number): number {
        return (this.n += k);
      }
    }
    const e = await failureOf(
      runModel({ model: new Counter(), subject: localRemote(new Lenient()), rng: rngFrom(mulberry32(4)), steps: 3, ops: neg }),
    );
    expect(e.message).toBe('after 0 operations: add(-1) returned -1, expected a RangeError');
  });

  it('passes an unexpected candidate error on as it is', async () => {
    class Broken extends Counter {
      override reset(): void {
        throw new TypeError('boom');
      }
    }
    const p = runModel({ model: new Counter(), subject: localRemote(new Broken()), rng: rngFrom(mulberry32(5)), steps: 50, ops });
    await expect(p).rejects.toMatchObject({ remote: true, remoteName: 'TypeError' });
  });
});
