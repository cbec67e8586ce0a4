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
  /**
   * Builds batch `batch` of calls of `method` on `target`, one per entry of `argsList` (used in
   * order, cycling); `hash: false` leaves its results out of the digests (a result left open);
   * `advance` adds `by` to the numbers at positions `args` of every entry after each full pass
   * (to the decimal number a string there ends in).
   */
  prepare: {
    body: {
      batch: number;
      target: Target;
      method: string;
      argsList: Encoded;
      hash?: boolean;
      advance?: { args: number[]; by: number };
      /** A read-back calling with the arguments (at `args`) of the calls its measured batch made `back` calls before its last. */
      echo?: { args: number[]; back: number[] };
      /** Reads the property `method` (a getter) instead of calling it. */
      read?: boolean;
      /** The digest covers this property of each result alone (`CallBatch.compare`). */
      pick?: string;
      /** Calls taking an argument from the previous call's result (`CallBatch.chain`). */
      chain?: { every: number; arg: number; key: string; from: string };
    };
    value: null;
  };
  /**
   * Runs `count` calls of a prepared batch back to back, continuing where its last run stopped,
   * then each `[batch, count]` of `then` (the read-back) the same way, all in one timed round trip;
   * answers one digest (`resultDigest.ts`) per batch run, in that order.
   */
  run: { body: { batch: number; count: number; then?: [number, number][] }; value: number[] };
  gc: { body: { type: 'full' | 'minor' }; value: null };
  /** Forgets an object (when `target` is not null) and prepared batches. */
  release: { body: { target: Target; batches: number[] }; value: null };
};

/** What the driver does for the subject: candidate code calling back into driver-owned objects. */
export type DriverOps = {
  /** Calls `method` of driver object `object` (`''` calls the object itself when it is a function). */
  invoke: { body: { object: number; method: string; args: Encoded[] }; value: Encoded };
};
