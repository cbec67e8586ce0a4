/**
 * Every operation of the driver ↔ subject protocol: its request body and the value it answers
 * with. Types only, so the subject's bundle can import it without pulling anything in.
 *
 * On the wire a request is `{t:'req', id, op, ...body}` and its answer
 * `{t:'res', id, ok:true, value}` or `{t:'res', id, ok:false, error}`, so no body has the
 * fields `t`, `id` or `op`. What the subject sends is checked by the driver (`checks.ts`).
 */
import type { Encoded } from './codec';
import type { CodeUnit } from './payload';

/** op → { body, value }: what a request carries and what its answer carries when it succeeds. */
export type OpMap = Record<string, { body: object; value: unknown }>;

/** Body of a request for `op` of `M`. */
export type BodyOf<M extends OpMap, K extends keyof M> = M[K]['body'];
/** Value of a successful answer to `op` of `M`. */
export type ValueOf<M extends OpMap, K extends keyof M> = M[K]['value'];

/** A subject-owned object, by the id the subject gave it; null means the module's exports. */
type Target = number | null;

/** What the subject does for the driver (the driver requests these). */
export type SubjectOps = {
  /** Compiles and imports the code; answers the names it exports. */
  load: { body: Pick<CodeUnit, 'files' | 'entry'>; value: string[] };
  /** `new exports[className](...args)`; answers a handle on the instance. */
  construct: { body: { className: string; args: Encoded }; value: { $ref: number } };
  /** Calls a method of `target` (an exported function when `target` is null). */
  call: { body: { target: Target; method: string; args: Encoded }; value: Encoded };
  /** Reads a property (getters included). */
  prop: { body: { target: number; name: string }; value: Encoded };
  /** Builds batch `batch` of calls of `method` on `target`, one per entry of `argsList`. */
  prepare: { body: { batch: number; target: Target; method: string; argsList: Encoded }; value: null };
  /** Runs `count` calls of a prepared batch back to back; answers how many returned a value. */
  run: { body: { batch: number; count: number }; value: number };
  gc: { body: { type: 'full' | 'minor' }; value: null };
  /** Forgets an object (when `target` is not null) and prepared batches. */
  release: { body: { target: Target; batches: number[] }; value: null };
};

/** What the driver does for the subject: candidate code calling back into driver-owned objects. */
export type DriverOps = {
  /** Calls `method` of driver object `object` (`''` calls the object itself when it is a function). */
  invoke: { body: { object: number; method: string; args: Encoded[] }; value: Encoded };
};
