/**
 * Model-based random testing: the same seeded operations go to a plain model class here and to
 * the candidate's object, and the first answer that differs fails the test with the operations
 * that led to it.
 */
import { AssertionFailure, isRemoteError } from './errors';
import type { Rng } from './random';
import { rawOf, type RemoteObject } from './remote';
import { deepEqual, show } from './values';

export interface ModelOp<M> {
  /** Relative frequency (default 1). */
  weight?: number;
  /** This call's arguments, drawn from the test's rng (the model is there to aim at present keys). */
  args(rng: Rng, model: M): unknown[];
  /** Compare the answers (default true); false for commands whose result the statement leaves open. */
  compare?: boolean;
}

export interface ModelRun<M extends object> {
  /** The reference behaviour: a method per operation, named as on the candidate's object. */
  model: M;
  /** The candidate's object: a `Remote` from `ctx.construct`, or a raw `RemoteObject`. */
  subject: object;
  rng: Rng;
  steps: number;
  ops: Record<string, ModelOp<M>>;
  /** Chooses step `i`'s operation instead of the weights (e.g. every 7th is a query). */
  choose?: (rng: Rng, i: number) => string;
  /** Properties (getters, or zero-argument model methods) compared every `every` steps and at the end. */
  props?: string[];
  every?: number;
  /** Starts every failure message, e.g. `capacity 3`. */
  label?: string;
  /** Operations a failure lists (default 8). */
  history?: number;
}

type Answer = { ok: unknown } | { error: string; thrown: unknown };

/** Runs `steps` random operations on both sides; fails at the first divergence. */
export async function runModel<M extends object>(run: ModelRun<M>): Promise<void> {
  const raw = rawOf(run.subject);
  const log: string[] = [];
  const every = run.every ?? 25;
  /** `done` operations went well; the failure is about what follows them. */
  const fail = (done: number, what: string, expected: unknown, actual: unknown): never => {
    const recent = log.slice(Math.max(0, done - (run.history ?? 8)), done);
    const before = recent.length ? ` (last ${recent.length}: ${recent.join(', ')})` : '';
    throw new AssertionFailure(`${run.label ? `${run.label}, ` : ''}after ${done} operations${before}: ${what}`, expected, actual);
  };
  for (let i = 0; i < run.steps; i++) {
    const name = run.choose ? run.choose(run.rng, i) : weighted(run.rng, run.ops);
    const op = run.ops[name];
    if (!op) throw new Error(`runModel: no operation named ${name}`);
    const args = op.args(run.rng, run.model);
    const call = `${name}(${args.map((a) => show(a, 60)).join(', ')})`;
    const want = await answer(() => invoke(run.model, name, args), false);
    const got = await answer(() => raw.call(name, ...args), true);
    // A throw the model did not expect is passed on as it is: the driver reports candidate code throwing.
    if ('error' in got && !('error' in want)) throw got.thrown;
    const compared = op.compare !== false || 'error' in want;
    if (compared && !sameAnswer(want, got)) fail(i, `${call} ${describe(got, true)}, expected ${describe(want)}`, value(want), value(got));
    log.push(compared ? `${call} → ${describe(got)}` : call);
    if (run.props && (i + 1) % every === 0) await checkProps(run, raw, (what, e, a) => fail(i + 1, what, e, a));
  }
  if (run.props) await checkProps(run, raw, (what, e, a) => fail(run.steps, what, e, a));
}

function weighted<M>(rng: Rng, ops: Record<string, ModelOp<M>>): string {
  const names = Object.keys(ops);
  const total = names.reduce((s, n) => s + (ops[n]!.weight ?? 1), 0);
  let r = rng.next() * total;
  for (const n of names) {
    r -= ops[n]!.weight ?? 1;
    if (r < 0) return n;
  }
  return names[names.length - 1]!;
}

function invoke(target: object, name: string, args: unknown[]): unknown {
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`runModel: the model has no method ${name}`);
  return (fn as (...a: unknown[]) => unknown).apply(target, args);
}

/** The model's throws are the errors the statement expects; only the candidate's must be remote. */
async function answer(run: () => unknown, remote: boolean): Promise<Answer> {
  try {
    return { ok: await run() };
  } catch (e) {
    if (remote && !isRemoteError(e)) throw e;
    const name = remote ? (e as { remoteName: string }).remoteName : ((e as Error | undefined)?.name ?? 'Error');
    return { error: name, thrown: e };
  }
}

function sameAnswer(want: Answer, got: Answer): boolean {
  if ('error' in want || 'error' in got) return 'error' in want && 'error' in got && got.error === want.error;
  return deepEqual(got.ok, want.ok);
}

function describe(a: Answer, verb = false): string {
  if ('error' in a) return verb ? `threw ${a.error}` : `a ${a.error}`;
  return verb ? `returned ${show(a.ok)}` : show(a.ok);
}

function value(a: Answer): unknown {
  return 'error' in a ? a.error : a.ok;
}

async function checkProps<M extends object>(
  run: ModelRun<M>,
  raw: RemoteObject,
  fail: (what: string, expected: unknown, actual: unknown) => never,
): Promise<void> {
  for (const p of run.props ?? []) {
    const v = (run.model as Record<string, unknown>)[p];
    const want = typeof v === 'function' ? (v as () => unknown).call(run.model) : v;
    const got = await raw.prop(p);
    if (!deepEqual(got, want)) fail(`${p} is ${show(got)}, expected ${show(want)}`, want, got);
  }
}
