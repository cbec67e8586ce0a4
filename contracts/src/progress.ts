import { z } from 'zod';
import { SuiteNameSchema } from './verdict';
import { SubmissionStatusSchema } from './submission';

/** A step of a grading, streamed as it happens (CLI lines, SSE events, the web page). */
export const ProgressEventSchema = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('queued') }),
  z.object({ stage: z.literal('preparing'), message: z.string() }),
  z.object({ stage: z.literal('compiling') }),
  z.object({ stage: z.literal('suite'), suite: SuiteNameSchema, done: z.number().int(), total: z.number().int() }),
  z.object({ stage: z.literal('finished'), verdict: z.string(), score: z.number() }),
]);
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

/** A submission's status changed (the `status` event of its stream); `message` says why, e.g. a retry. */
export const StatusEventSchema = z.object({ status: SubmissionStatusSchema, message: z.string().optional() });
export type StatusEvent = z.infer<typeof StatusEventSchema>;
