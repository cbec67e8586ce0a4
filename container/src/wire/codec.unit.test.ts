/**
 * The value codec, as a table: what each value looks like on the wire and what comes back.
 * Values cross as JSON text, so every round trip goes through JSON.stringify/parse. Some rows
 * pin today's behaviour where it is surprising (marked "as today").
 */
import { describe, expect, it } from 'vitest';
import { type Codec, decodeList, decodeValue, encodeValue, errorToWire, MAX_DEPTH, type ReceivedTag } from './codec';

/** An object one side keeps and the other sees as a tag. */
class Local {
  constructor(
    readonly id: number,
    readonly kind: 'ref' | 'obj' = 'ref',
  ) {}
}

/** Tags `Local` objects and remembers what it was asked to untag. */
function testCodec() {
  const untagged: ReceivedTag[] = [];
  const codec: Codec = {
    tagObject: (v) =>
      v instanceof Local ? (v.kind === 'ref' ? { $ref: v.id } : { $obj: v.id, methods: ['get'], callable: false }) : undefined,
    untag: (tag) => {
      untagged.push(tag);
      return { untagged: tag };
    },
  };
  return { codec, untagged };
}

const { codec } = testCodec();
const wire = (v: unknown) => JSON.parse(JSON.stringify(encodeValue(v, codec))) as unknown;
const roundTrip = (v: unknown) => decodeValue(wire(v), codec);

/** `n` arrays around 1: the 1 sits at depth n. */
const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);

describe('tags round-trip', () => {
  it.each<[string, unknown, unknown]>([
    ['undefined', undefined, { $u: 1 }],
    ['NaN', NaN, { $n: 'NaN' }],
    ['Infinity', Infinity, { $n: 'Infinity' }],
    ['-Infinity', -Infinity, { $n: '-Infinity' }],
    ['-0 (JSON has no negative zero, and toBe tells it from 0)', -0, { $n: '-0' }],
    ['a bigint', 123n, { $big: '123' }],
    ['a negative bigint', -5n, { $big: '-5' }],
    ['a 4000-digit bigint', 10n ** 3999n, { $big: `1${'0'.repeat(3999)}` }],
  ])('%s', (_, value, onWire) => {
    expect(wire(value)).toEqual(onWire);
    expect(Object.is(roundTrip(value), value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'text'],
    ['a string that looks like a tag', '$ref'],
    ['true', true],
    ['a finite number', 1e308],
    ['a plain object', { a: 1, b: [2, { c: 'd' }] }],
  ])('%s crosses as itself', (_, value) => {
    expect(wire(value)).toEqual(value);
    expect(roundTrip(value)).toEqual(value);
  });

  it('-0 inside structures comes back as -0', () => {
    const [a, b] = roundTrip([-0, { z: -0 }]) as [number, { z: number }];
    expect(Object.is(a, -0) && Object.is(b.z, -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
  });

  it('$ref and $obj tags go to the codec, as received', () => {
    const { codec: c, untagged } = testCodec();
    const out = decodeValue(JSON.parse(JSON.stringify(encodeValue([new Local(7), new Local(3, 'obj')], c))), c);
    expect(untagged).toEqual([{ $ref: 7 }, { $obj: 3, methods: ['get'], callable: false }]);
    expect(out).toEqual([{ untagged: { $ref: 7 } }, { untagged: { $obj: 3, methods: ['get'], callable: false } }]);
  });

  it('functions and symbols are undefined unless the codec tags them', () => {
    expect(wire(() => 1)).toEqual({ $u: 1 });
    expect(wire(Symbol('s'))).toEqual({ $u: 1 });
    const fnCodec: Codec = { tagObject: (v) => (typeof v === 'function' ? { $ref: 9 } : undefined), untag: () => 'fn' };
    expect(encodeValue(() => 1, fnCodec)).toEqual({ $ref: 9 });
    // Symbol keys are not own enumerable string keys: they are left out.
    expect(wire({ [Symbol('k')]: 1, a: 2 })).toEqual({ a: 2 });
  });

  it('objects the codec does not tag are copied by their own enumerable keys (as today)', () => {
    expect(wire(new Map([[1, 2]]))).toEqual({});
    expect(wire(new Date(0))).toEqual({});
    expect(wire(Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }))).toEqual({ own: 2 });
  });
});

describe('candidate data that looks like a tag stays data', () => {
  const { codec: c, untagged } = testCodec();
  it.each<[string, unknown, unknown]>([
    ['{$ref: 1}', { $ref: 1 }, { $esc: { $ref: 1 } }],
    ['{$obj: 1, methods: []}', { $obj: 1, methods: [] }, { $esc: { $obj: 1, methods: [] } }],
    ['{$u: 1}', { $u: 1 }, { $esc: { $u: 1 } }],
    ['{$n: "NaN"}', { $n: 'NaN' }, { $esc: { $n: 'NaN' } }],
    ['{$big: "1"}', { $big: '1' }, { $esc: { $big: '1' } }],
    ['{$esc: 5}', { $esc: 5 }, { $esc: { $esc: 5 } }],
    ['{$esc: {$u: 1}} (nested)', { $esc: { $u: 1 } }, { $esc: { $esc: { $esc: { $u: 1 } } } }],
    ['a tag-like key among others', { a: 1, $ref: 2 }, { $esc: { a: 1, $ref: 2 } }],
    ['a tag-like object inside an array', [{ $ref: 1 }], [{ $esc: { $ref: 1 } }]],
  ])('%s', (_, value, onWire) => {
    const sent = JSON.parse(JSON.stringify(encodeValue(value, c))) as unknown;
    expect(sent).toEqual(onWire);
    expect(decodeValue(sent, c)).toEqual(value);
    expect(untagged).toEqual([]);
  });
});

describe('undefined inside structures', () => {
  it('survives in arrays and as an object value (the key stays)', () => {
    expect(roundTrip([undefined, 1, undefined])).toEqual([undefined, 1, undefined]);
    const o = roundTrip({ a: undefined, b: 1 }) as Record<string, unknown>;
    expect('a' in o && o.a === undefined && o.b === 1).toBe(true);
  });

  it('a hole in a sparse array comes back as null (as today)', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(roundTrip([, 1])).toEqual([null, 1]);
  });
});

describe('__proto__ keys', () => {
  it('are dropped when decoding, at any depth, escaped or not', () => {
    for (const text of ['{"__proto__":{"polluted":1},"a":1}', '{"$esc":{"__proto__":{"polluted":1},"$u":1,"a":1}}']) {
      const out = decodeValue(JSON.parse(text), codec) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.keys(out)).not.toContain('__proto__');
      expect(out.polluted).toBeUndefined();
      expect(out.a).toBe(1);
    }
    const nested = decodeValue(JSON.parse('[{"x":{"__proto__":{"polluted":1}}}]'), codec) as [{ x: object }];
    expect(Object.getPrototypeOf(nested[0].x)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an own __proto__ key in candidate data never reaches the wire', () => {
    const data = JSON.parse('{"__proto__":{"$ref":1},"a":1}') as unknown;
    const sent = JSON.stringify(encodeValue(data, codec));
    expect(sent).not.toContain('__proto__');
    expect(decodeValue(JSON.parse(sent), codec)).toEqual({ a: 1 });
  });
});

describe('depth limit', () => {
  it(`encodes ${MAX_DEPTH} levels and refuses one more`, () => {
    expect(roundTrip(nest(MAX_DEPTH))).toEqual(nest(MAX_DEPTH));
    expect(() => encodeValue(nest(MAX_DEPTH + 1), codec)).toThrow('value nested too deeply to send');
  });

  it(`decodes ${MAX_DEPTH} levels and refuses one more`, () => {
    expect(decodeValue(nest(MAX_DEPTH), codec)).toEqual(nest(MAX_DEPTH));
    expect(() => decodeValue(nest(MAX_DEPTH + 1), codec)).toThrow('value nested too deeply');
    expect(() => decodeValue(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), codec)).toThrow(TypeError);
  });

  it('a cycle is refused by the depth limit, not a stack overflow', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic, codec)).toThrow(TypeError);
  });
});

describe('received tags are checked, not trusted', () => {
  it.each<[string, string, unknown]>([
    ['a bigint of digits', '{"$big":"-12"}', -12n],
    ['a bigint with a letter', '{"$big":"12a"}', undefined],
    ['an empty bigint', '{"$big":""}', undefined],
    ['a lone minus', '{"$big":"-"}', undefined],
    ['a plus sign', '{"$big":"+1"}', undefined],
    ['a padded bigint', '{"$big":" 1"}', undefined],
    ['a number as bigint', '{"$big":12}', undefined],
    ['a 4001-digit bigint', `{"$big":"1${'0'.repeat(4000)}"}`, undefined],
    ['$u with any value', '{"$u":0}', undefined],
    ['$u before other tags', '{"$u":1,"$ref":2}', undefined],
    ['$n that is an ordinary number', '{"$n":"1"}', undefined],
    ['$n that Number() would read as 0', '{"$n":""}', undefined],
    ['$n that is garbage', '{"$n":"x"}', undefined],
    ['$n that is a number', '{"$n":5}', undefined],
    ['$n that is a list', '{"$n":["NaN"]}', undefined],
    ['$n of -0', '{"$n":"-0"}', -0],
    ['$esc that is not an object (as today: kept as data)', '{"$esc":5}', { $esc: 5 }],
  ])('%s', (_, text, expected) => {
    expect(decodeValue(JSON.parse(text), codec)).toEqual(expected);
  });

  it('a $n object that cannot become a number is undefined, not a throw', () => {
    expect(decodeValue(JSON.parse('{"$n":{"valueOf":1,"toString":1}}'), codec)).toBeUndefined();
  });

  it('decodeList wants a list', () => {
    expect(decodeList([1, { $u: 1 }], codec)).toEqual([1, undefined]);
    expect(() => decodeList({ a: 1 }, codec)).toThrow('expected a list of values');
  });
});

describe('errorToWire', () => {
  const long = 'x'.repeat(5000);
  const throwingGetter = Object.defineProperty({}, 'message', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['an Error', new Error('boom'), { name: 'Error', message: 'boom' }],
    ['a RangeError', new RangeError('r'), { name: 'RangeError', message: 'r' }],
    [
      'a long name and message (capped)',
      Object.assign(new Error(long), { name: long }),
      { name: 'x'.repeat(100), message: 'x'.repeat(2000) },
    ],
    ['a string', 'boom', { name: 'Error', message: 'non-error thrown: boom' }],
    ['a number', 42, { name: 'Error', message: 'non-error thrown: 42' }],
    ['null', null, { name: 'Error', message: 'non-error thrown: null' }],
    ['undefined', undefined, { name: 'Error', message: 'non-error thrown: undefined' }],
    ['a symbol', Symbol('s'), { name: 'Error', message: 'non-error thrown: Symbol(s)' }],
    ['an object with a message', { message: 'm' }, { name: 'Error', message: 'm' }],
    ['an object whose name is an object', { message: 'm', name: { a: 1 } }, { name: '[object Object]', message: 'm' }],
    ['an object whose name is a symbol', { message: 'm', name: Symbol('n') }, { name: 'Symbol(n)', message: 'm' }],
    ['a numeric message', { message: 5 }, { name: 'Error', message: '5' }],
    ['a null message', { message: null }, { name: 'Error', message: '' }],
    ['a name without a message', { name: 'X' }, { name: 'Error', message: 'non-error thrown: [object Object]' }],
    ['an object with its own toString', { toString: () => 'mine' }, { name: 'Error', message: 'non-error thrown: mine' }],
    ['a non-string stack', { message: 'm', stack: 5 }, { name: 'Error', message: 'm', stack: undefined }],
    ['an unknown kind', { message: 'm', kind: 'other', diagnostics: 'x' }, { name: 'Error', message: 'm' }],
  ])('%s', (_, thrown, expected) => {
    const out = errorToWire(thrown);
    expect(out).toMatchObject(expected);
    expect(typeof out.name === 'string' && typeof out.message === 'string').toBe(true);
    expect(out).not.toHaveProperty('kind');
  });

  it('keeps the load kind and diagnostics as given (the driver checks them)', () => {
    const d = [{ file: 'a.ts', line: 1, column: 2, message: 'm' }];
    expect(errorToWire(Object.assign(new Error('x'), { kind: 'compile', diagnostics: d }))).toMatchObject({
      kind: 'compile',
      diagnostics: d,
    });
    expect(errorToWire(Object.assign(new Error('x'), { kind: 'load' }))).toMatchObject({ kind: 'load' });
  });

  it('copies diagnostics field by field, capped, so they are always well-formed', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ file: 'f'.repeat(500), line: i, column: 1.5, message: { toString: () => 'm' } }));
    const out = errorToWire({ message: 'm', kind: 'compile', diagnostics: [1, null, ...many] });
    expect(out.diagnostics).toHaveLength(48); // the first 50 entries, less the two that are not objects
    expect(out.diagnostics![0]).toEqual({ file: 'f'.repeat(200), line: 0, column: 0, message: 'm' });
  });

  it('honours maxLength', () => {
    expect(errorToWire(new Error('abcdef'), 3).message).toBe('abc');
    expect(errorToWire('abcdef', 3).message).toBe('non-error thrown: abc');
  });

  // Candidate code throws these on purpose: describing them must never throw (the subject would
  // die of it, and on the driver a throw here would escape the channel).
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      has() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
  it.each<[string, unknown, Record<string, unknown>]>([
    ['a null-prototype object', Object.create(null), { name: 'Error', message: 'non-error thrown: [unprintable]' }],
    ['a message with a null prototype', { message: Object.create(null) }, { name: 'Error', message: '[unprintable]' }],
    ['a name with a null prototype', { message: 'm', name: Object.create(null) }, { name: '[unprintable]', message: 'm' }],
    ['a name whose toString throws', { message: 'm', name: { toString: () => ({}) } }, { name: '[unprintable]', message: 'm' }],
    ['a throwing message getter', throwingGetter, { name: 'Error', message: '' }],
    ['a proxy whose traps all throw', hostile, { name: 'Error', message: 'non-error thrown: [unprintable]' }],
    ['a revoked proxy', revoked.proxy, { name: 'Error', message: 'non-error thrown: [unprintable]' }],
    [
      'an Error whose getters throw',
      Object.create(Error.prototype, {
        message: { value: 'x' },
        name: {
          get() {
            throw new Error('n');
          },
        },
        stack: {
          get() {
            throw new Error('s');
          },
        },
      }) as Error,
      { name: 'Error', message: 'x', stack: undefined },
    ],
    ['a name that is a huge string', { message: 'm', name: 'n'.repeat(1e6) }, { name: 'n'.repeat(100) }],
    ['diagnostics behind a revoked proxy', { message: 'm', diagnostics: revoked.proxy }, { message: 'm' }],
  ])('%s is described, never thrown', (_, thrown, expected) => {
    const out = errorToWire(thrown);
    expect(out).toMatchObject(expected);
    expect(() => JSON.stringify(out)).not.toThrow();
  });
});
