/** Zod-free on purpose: the browser bundle uses it (see status.ts). */
import type { ProgressEvent } from './progress';

/** The one-line label of a progress step: CLI lines, the web page's steps. */
export function describeProgress(e: ProgressEvent): string {
  switch (e.stage) {
    case 'queued':
      return 'queued';
    case 'preparing':
      return e.message;
    case 'compiling':
      return 'compiling';
    case 'suite':
      return `suite:${e.suite} ${e.done}/${e.total}`;
    case 'finished':
      return `finished: ${e.verdict} (${e.score})`;
  }
}
