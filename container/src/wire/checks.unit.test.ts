/** The driver's checks of what the subject sends: the subject's own answers pass, the rest fail. */
import { describe, expect, it } from 'vitest';
import { isWireError, SUBJECT_CHECKS } from './checks';

const { answers, requests } = SUBJECT_CHECKS;

describe('answer checks', () => {
  it.each<[keyof typeof answers, unknown[], unknown[]]>([
    ['load', [[], ['LRUCache', 'default']], [null, undefined, 'LRUCache', [1], [['x']], {}]],
    ['construct', [{ $ref: 1 }], [null, 1, { $obj: 1 }, { $ref: '1' }, [{ $ref: 1 }]]],
    ['call', [null, 1, 'x', { $u: 1 }, [{ $ref: 2 }], undefined], []],
    ['prop', [null, { $n: 'NaN' }], []],
    ['prepare', [null], [undefined, 0, {}]],
    ['run', [[0], [12, 0xffffffff, 7]], [null, 0, '1', undefined, [-1], [1.5], [2 ** 32], ['1'], Array.from({ length: 40 }, () => 1)]],
    ['gc', [null], [undefined, true]],
    ['release', [null], [undefined, []]],
  ])('%s', (op, good, bad) => {
    for (const v of good) expect(answers[op](v), JSON.stringify(v)).toBe(true);
    for (const v of bad) expect(answers[op](v), JSON.stringify(v)).toBe(false);
  });
});

describe('invoke requests', () => {
  it.each<[unknown, boolean]>([
    [{ object: 1, method: 'get', args: [] }, true],
    [{ object: 1, method: '', args: [{ $u: 1 }] }, true],
    [{ object: '1', method: 'get', args: [] }, false],
    [{ object: 1.5, method: 'get', args: [] }, false],
    [{ object: 1, method: 5, args: [] }, false],
    [{ object: 1, method: 'get', args: {} }, false],
    [{ object: 1, method: 'get' }, false],
    [null, false],
  ])('%j → %s', (body, ok) => {
    expect(requests.invoke(body)).toBe(ok);
  });
});

describe('errors', () => {
  const diagnostic = { file: 'solution.ts', line: 3, column: 5, message: 'Expected ";"' };
  it.each<[string, unknown, boolean]>([
    ['a plain error', { name: 'TypeError', message: 'x is not a function' }, true],
    ['with a stack', { name: 'Error', message: 'm', stack: 'Error: m\n    at f' }, true],
    ['a load failure', { name: 'Error', message: 'boom', kind: 'load' }, true],
    ['compile diagnostics', { name: 'Error', message: 'compilation failed', kind: 'compile', diagnostics: [diagnostic] }, true],
    ['no name', { message: 'm' }, false],
    ['a numeric message', { name: 'Error', message: 5 }, false],
    ['a non-string stack', { name: 'Error', message: 'm', stack: 5 }, false],
    ['an unknown kind', { name: 'Error', message: 'm', kind: 'other' }, false],
    ['diagnostics that are not a list', { name: 'Error', message: 'm', kind: 'compile', diagnostics: {} }, false],
    [
      'a diagnostic without a line',
      { name: 'Error', message: 'm', kind: 'compile', diagnostics: [{ file: 'a', column: 1, message: 'm' }] },
      false,
    ],
    ['a fractional column', { name: 'Error', message: 'm', kind: 'compile', diagnostics: [{ ...diagnostic, column: 1.5 }] }, false],
    ['a string', 'Error: m', false],
    ['null', null, false],
  ])('%s', (_, error, ok) => {
    expect(isWireError(error)).toBe(ok);
  });
});
