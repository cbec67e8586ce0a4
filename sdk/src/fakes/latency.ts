/** Shared plumbing of the driver-owned fakes: seeded latency, and handing out only some methods. */
import type { FakeContext } from '../context';

/** One leg of a call: `[min, max]` ms drawn from the test's rng (both inclusive); `n` is `[0, n]`. */
export type Latency = number | readonly [min: number, max: number];

/** Sleeps a seeded random time, so concurrent calls interleave differently but reproducibly. */
export function jitter(ctx: FakeContext, latency: Latency): Promise<void> {
  const [min, max] = typeof latency === 'number' ? [0, latency] : latency;
  return ctx.sleep(ctx.rng.int(min, max));
}

type Methods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/**
 * A plain object with only the listed methods of `target`, bound to it: what to `ctx.expose`,
 * so the candidate can call those and none of the test's control methods. A record renames:
 * `only(store, { get: 'getVersioned' })` gives the candidate `get`, backed by `getVersioned`.
 */
export function only<T extends object, K extends Methods<T>>(
  target: T,
  methods: readonly K[] | Record<string, K>,
): Record<string, unknown> {
  const pairs: Array<[string, K]> = Array.isArray(methods)
    ? (methods as readonly K[]).map((m) => [String(m), m])
    : Object.entries(methods as Record<string, K>);
  const out: Record<string, unknown> = {};
  for (const [name, method] of pairs) {
    const fn = target[method];
    if (typeof fn !== 'function') throw new TypeError(`${String(method)} is not a method of this object`);
    out[name] = (fn as (...args: unknown[]) => unknown).bind(target);
  }
  return out;
}
