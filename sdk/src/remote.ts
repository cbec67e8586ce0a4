/**
 * The candidate's code as tests see it. The driver supplies untyped handles (`Subject`,
 * `RemoteObject`); `remote()` wraps one in a typed `Remote<T>` whose methods are async methods
 * and whose properties (getters included) are promises of their value.
 */

/** A candidate-owned object living in the subject process. */
export interface RemoteObject {
  /** Calls a method; rejects with a `RemoteError` when the candidate's code throws. */
  call(method: string, ...args: unknown[]): Promise<unknown>;
  /** Reads a property (getters included). */
  prop(name: string): Promise<unknown>;
}

/** The candidate's code, as seen from a test. */
export interface Subject {
  /** `new ExportedClass(...args)` in the subject process. */
  construct(className: string, ...args: unknown[]): Promise<RemoteObject>;
  /** Calls an exported function. */
  call(fn: string, ...args: unknown[]): Promise<unknown>;
}

/** An exported function of type `F`, called across the boundary. */
export type RemoteFn<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/**
 * `T` seen from the driver: `obj.method(...)` resolves to what the method returns, `await obj.prop`
 * to the property's value. `then` is left out: a remote object is never a promise itself.
 */
export type Remote<T> = {
  readonly [K in keyof T as K extends 'then' ? never : K]: T[K] extends (...args: never[]) => unknown ? RemoteFn<T[K]> : Promise<T[K]>;
};

/**
 * Where a `Remote` keeps its raw handle. A registered symbol, because the driver and a suites
 * bundle each carry their own copy of this module.
 */
const RAW = Symbol.for('assay.sdk.remote.raw');

/** Keys a `Remote` never forwards: it must not look like a promise, and JSON and inspection must not call out. */
const LOCAL = new Set<PropertyKey>(['then', 'toJSON']);

/**
 * A member of a remote object before we know which it is: calling it calls the method, awaiting
 * it reads the property (once, when first awaited).
 */
function member(raw: RemoteObject, name: string): unknown {
  let read: Promise<unknown> | undefined;
  const value = () => (read ??= raw.prop(name));
  const call = (...args: unknown[]) => raw.call(name, ...args.map(unwrap));
  return Object.assign(call, {
    then: (ok?: (v: unknown) => unknown, ko?: (e: unknown) => unknown) => value().then(ok, ko),
    catch: (ko?: (e: unknown) => unknown) => value().catch(ko),
    finally: (fn?: () => void) => value().finally(fn),
  });
}

/** Wraps a raw handle as a typed remote object. */
export function remote<T>(raw: RemoteObject): Remote<T> {
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (key === RAW) return raw;
      if (typeof key === 'symbol' || LOCAL.has(key)) return undefined;
      return member(raw, key);
    },
    set() {
      throw new TypeError('a remote object cannot be assigned to: call one of its methods');
    },
  }) as Remote<T>;
}

/** The raw handle behind a `Remote` (for `.call` / `.prop` by name), or `value` itself if it is one. */
export function rawOf(value: object): RemoteObject {
  return rawIn(value) ?? (value as RemoteObject);
}

function rawIn(value: object): RemoteObject | undefined {
  return (value as { [RAW]?: RemoteObject })[RAW];
}

/**
 * Remote objects passed as arguments travel as their raw handles, also inside arrays and plain
 * objects. Anything without one inside is passed as it is (an exposed object keeps its identity).
 */
function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const raw = rawIn(value);
  if (raw) return raw;
  if (Array.isArray(value)) {
    const items = value.map(unwrap);
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const entries = Object.entries(value);
  const mapped = entries.map(([k, v]) => [k, unwrap(v)] as const);
  return mapped.some(([, v], i) => v !== entries[i]![1]) ? Object.fromEntries(mapped) : value;
}

/** What `TestContext` adds on top of the raw `Subject`. */
export interface TypedSubject {
  /** `new className(...args)` in the candidate's process, as a typed remote object. */
  construct<T>(className: string, ...args: unknown[]): Promise<Remote<T>>;
  /** An exported function, typed: `const isBalanced = ctx.fn<(s: string) => boolean>('isBalanced')`. */
  fn<F extends (...args: never[]) => unknown>(name: string): RemoteFn<F>;
}

export function typedSubject(subject: Subject): TypedSubject {
  return {
    construct: async <T>(className: string, ...args: unknown[]) => remote<T>(await subject.construct(className, ...args.map(unwrap))),
    fn: <F extends (...args: never[]) => unknown>(name: string) =>
      ((...args: unknown[]) => subject.call(name, ...args.map(unwrap))) as RemoteFn<F>,
  };
}
