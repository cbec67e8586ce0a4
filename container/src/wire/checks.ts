/**
 * What the driver checks of what the subject sends. After candidate code has loaded, anything
 * may arrive on fd 3 (the candidate can write to it), so every request body and answer value
 * is shape-checked before the driver's typed code sees it. Cheap checks: `run` answers arrive
 * inside a timed round trip.
 */
import { DiagnosticSchema } from '@assay/contracts';
import type { Encoded, WireError } from './codec';
import type { DriverOps, SubjectOps } from './ops';
import type { PeerChecks } from './RpcChannel';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isOptionalString = (x: unknown) => x === undefined || typeof x === 'string';

/** Any JSON value: `decodeValue` checks encoded values as it goes. */
const isEncoded = (_: unknown): _ is Encoded => true;
const isNull = (x: unknown): x is null => x === null;
/** A batch digest: an unsigned 32-bit integer. */
const isDigest = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
/** The digests one `run` answers: its batch and the read-back batches after it. */
export const MAX_RUN_DIGESTS = 33;

const DiagnosticsSchema = DiagnosticSchema.array();

export function isWireError(x: unknown): x is WireError {
  return (
    isRecord(x) &&
    typeof x.name === 'string' &&
    typeof x.message === 'string' &&
    isOptionalString(x.stack) &&
    (x.kind === undefined || x.kind === 'compile' || x.kind === 'load') &&
    (x.diagnostics === undefined || DiagnosticsSchema.safeParse(x.diagnostics).success)
  );
}

export const SUBJECT_CHECKS: PeerChecks<DriverOps, SubjectOps> = {
  requests: {
    invoke: (x): x is DriverOps['invoke']['body'] =>
      isRecord(x) && Number.isInteger(x.object) && typeof x.method === 'string' && Array.isArray(x.args),
  },
  answers: {
    load: (x): x is string[] => Array.isArray(x) && x.every((k) => typeof k === 'string'),
    construct: (x): x is { $ref: number } => isRecord(x) && typeof x.$ref === 'number',
    call: isEncoded,
    prop: isEncoded,
    prepare: isNull,
    run: (x): x is number[] => Array.isArray(x) && x.length <= MAX_RUN_DIGESTS && x.every(isDigest),
    gc: isNull,
    release: isNull,
  },
  error: isWireError,
};
