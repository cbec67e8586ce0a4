import { describe, expect as vexpect, it } from 'vitest';
import { AssertionFailure } from './errors';
import { describeOutcome, expect, expectRejects, fail, outcome, until, within } from './expect';
import { remoteError } from './testing';

function failure(run: () => unknown): AssertionFailure {
  try {
    run();
  } catch (e) {
    vexpect(e).toBeInstanceOf(AssertionFailure);
    return e as AssertionFailure;
  }
  throw new Error('expected an AssertionFailure');
}

describe('expect', () => {
  it('toBe uses Object.is and reports expected and actual', () => {
    expect(NaN).toBe(NaN);
    const e = failure(() => expect(2, 'get(1)').toBe(1));
    vexpect(e.message).toBe('get(1): expected 1, got 2');
    vexpect([e.expected, e.actual]).toEqual([1, 2]);
    failure(() => expect(-0).toBe(0));
  });

  it('toEqual compares structurally', () => {
    expect({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] });
    const e = failure(() => expect({ a: 1 }, 'task').toEqual({ a: 1, b: undefined }));
    vexpect(e.message).toBe('task: expected {"a":1}, got {"a":1}');
  });

  it('toHaveFields ignores extra fields but not missing ones', () => {
    expect({ id: 'x', title: 't', createdAt: 5 }).toHaveFields({ id: 'x', title: 't' });
    const e = failure(() => expect({ id: 'x' }, 'task').toHaveFields({ id: 'x', title: 't' }));
    vexpect(e.actual).toEqual({ id: 'x', title: undefined });
    failure(() => expect(null).toHaveFields({ id: 'x' }));
    failure(() => expect([{ id: 'x' }]).toHaveFields({ 0: { id: 'x' } }));
  });

  it('toSatisfy names the expectation', () => {
    const e = failure(() => expect('ab', 'code').toSatisfy((v) => String(v).length === 7, '7 characters'));
    vexpect(e.message).toBe('code: expected 7 characters, got "ab"');
  });

  it('fail carries expected and actual', () => {
    const e = failure(() => fail('nope', 1, 2));
    vexpect([e.message, e.expected, e.actual]).toEqual(['nope', 1, 2]);
  });
});

describe('expectRejects', () => {
  it('returns the remote error of the expected name', async () => {
    const e = await expectRejects(Promise.reject(remoteError('RangeError', 'bad')), 'RangeError');
    vexpect(e.remoteName).toBe('RangeError');
  });

  it('fails on another name, or on a value', async () => {
    await vexpect(expectRejects(Promise.reject(remoteError('TypeError', 'x')), 'RangeError', 'new C(0)')).rejects.toThrow(
      'new C(0): expected a RangeError, got TypeError: x',
    );
    await vexpect(expectRejects(Promise.resolve(3), 'RangeError', 'f()')).rejects.toThrow(
      'f(): expected it to throw a RangeError, it returned 3',
    );
  });

  it('passes on errors that are not the candidate’s', async () => {
    await vexpect(expectRejects(Promise.reject(new Error('test bug')))).rejects.toThrow('test bug');
  });
});

describe('within', () => {
  it('resolves a prompt promise and fails a pending one as a wrong answer', async () => {
    vexpect(await within(Promise.resolve(5), 50)).toBe(5);
    await vexpect(within(new Promise(() => {}), 20, 'acquire()')).rejects.toThrow('acquire() did not settle within 20 ms');
  });
});

describe('outcome', () => {
  it('turns candidate errors into values and passes others on', async () => {
    vexpect(await outcome(Promise.resolve(1))).toEqual({ ok: 1 });
    const o = await outcome(Promise.reject(remoteError('CardDeclined', 'no')));
    vexpect(o).toEqual({ error: 'CardDeclined', message: 'no' });
    vexpect(describeOutcome(o)).toBe('rejected with CardDeclined: no');
    await vexpect(outcome(Promise.reject(new Error('broken test')))).rejects.toThrow('broken test');
  });
});

describe('until', () => {
  const ctx = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

  it('returns once the condition holds', async () => {
    let n = 0;
    await until(ctx, () => ++n >= 3, 'three polls');
    vexpect(n).toBe(3);
  });

  it('fails as a wrong answer when it never holds', async () => {
    await vexpect(until(ctx, async () => false, 'a timer to start', 20)).rejects.toThrow('gave up waiting: a timer to start');
  });
});
