/**
 * The contract between the host and the driver inside the container.
 *
 * The host writes one `DriverPayload` as JSON on the container's stdin and closes it. The driver
 * answers on its stdout with frames, one per line: `@@assay:<nonce> <json DriverFrame>`. Only the
 * driver knows the nonce (it read it from stdin before any candidate code ran), so a line the
 * candidate manages to print can never pass for a frame. The host still validates every frame.
 */
import { z } from 'zod';
import {
  ComplexityResultSchema,
  DiagnosticSchema,
  LanguageSchema,
  LatencyResultSchema,
  ManifestSchema,
  ProgressEventSchema,
  SourceFileSchema,
  SuiteResultSchema,
} from '@assay/contracts';

export const FRAME_PREFIX = '@@assay:';

export const CodeUnitSchema = z.object({
  language: LanguageSchema,
  files: z.array(SourceFileSchema),
  /** The file whose exports are the candidate's answer. */
  entry: z.string(),
});
export type CodeUnit = z.infer<typeof CodeUnitSchema>;

export const DriverPayloadSchema = z.object({
  nonce: z.string().min(16),
  seed: z.number().int(),
  manifest: ManifestSchema,
  /** Self-contained ES module whose default export is the problem's `Suites`. */
  suitesBundle: z.string(),
  candidate: CodeUnitSchema,
  /** Present when the problem has a latency suite: measured next to the candidate. */
  reference: CodeUnitSchema.nullable(),
});
export type DriverPayload = z.infer<typeof DriverPayloadSchema>;

/**
 * The driver's command-line argument (JSON): just enough to start the candidate's process while
 * the payload is still arriving, so the two Node start-ups overlap.
 */
export const EarlyStartSchema = z.object({
  memoryMb: z.number().int().positive(),
  outputBytes: z.number().int().positive(),
  kind: z.enum(['module', 'service']),
});
export type EarlyStart = z.infer<typeof EarlyStartSchema>;

export function earlyStartOf(manifest: { limits: { memoryMb: number; outputBytes: number }; kind: 'module' | 'service' }): EarlyStart {
  return { memoryMb: manifest.limits.memoryMb, outputBytes: manifest.limits.outputBytes, kind: manifest.kind };
}

/** Why the candidate's process stopped early, when it did. */
export const SubjectFaultSchema = z.object({
  kind: z.enum(['compile', 'load', 'crash', 'timeout', 'memory', 'output']),
  message: z.string(),
});
export type SubjectFault = z.infer<typeof SubjectFaultSchema>;

export const DriverReportSchema = z.object({
  compile: z.object({ ok: z.boolean(), diagnostics: z.array(DiagnosticSchema) }),
  suites: z.array(SuiteResultSchema),
  latency: z.array(LatencyResultSchema),
  complexity: z.array(ComplexityResultSchema),
  /** Every fault seen, in order; the verdict is derived from these and the suites. */
  faults: z.array(SubjectFaultSchema),
  output: z.object({ stdout: z.string(), stderr: z.string(), truncated: z.boolean() }),
  cpuMs: z.number(),
  peakMemoryBytes: z.number(),
});
export type DriverReport = z.infer<typeof DriverReportSchema>;

export const DriverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), event: ProgressEventSchema }),
  z.object({ type: z.literal('report'), report: DriverReportSchema }),
  /** The driver itself failed (a bug of ours or of the problem's suites): never the candidate's fault. */
  z.object({ type: z.literal('internal'), message: z.string() }),
]);
export type DriverFrame = z.infer<typeof DriverFrameSchema>;

/** Paths inside the runner image. */
export const IMAGE_PATHS = {
  node: '/usr/local/bin/node',
  driver: '/opt/assay/driver.mjs',
  subject: '/opt/assay/subject.mjs',
  esbuild: '/opt/assay/bin/esbuild',
  /** tmpfs owned by the candidate's uid */
  candidateDir: '/sandbox/candidate',
  /** tmpfs owned by the reference solution's uid */
  referenceDir: '/sandbox/reference',
} as const;

/** uids inside the container: the driver stays root with only SETUID/SETGID/KILL. */
export const UIDS = { candidate: 2000, reference: 3000 } as const;

/**
 * Service problems: the reference server listens on nothing. The driver makes each connection
 * to it itself and hands over the server end as an IPC message with this value and the socket
 * as its handle (`process.on('message', (m, socket) => …)`; see driver/ReferenceLink.ts).
 */
export const REFERENCE_CONNECTION = 'assay:connection';
