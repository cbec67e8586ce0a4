/** The live steps of a grading: one line per step, a suite's line updated in place (`suite:correctness 7/18`). */
import { describeProgress, type ProgressEvent } from '@assay/contracts';
import type { SubmissionStatus } from '../api';
import { type Child, h } from './dom';

export class ProgressView {
  readonly el = h('ol', { class: 'progress-steps', 'aria-live': 'polite' });
  private suites = new Map<string, { text: HTMLElement; bar: HTMLProgressElement }>();
  private current: HTMLElement | undefined;

  private lastStatus: string | undefined;

  status(status: SubmissionStatus, message?: string): void {
    const text = `${status}${message ? `: ${message}` : ''}`;
    if (text === this.lastStatus) return; // e.g. "running" again after the worker's retry bookkeeping
    this.lastStatus = text;
    this.step(text, status === 'failed' ? 'bad' : undefined);
  }

  /** Labelled as the CLI labels them (`describeProgress`): `compiling`, `suite:correctness 7/18`, … */
  progress(e: ProgressEvent): void {
    const label = describeProgress(e);
    if (e.stage !== 'suite') return void this.step(label, e.stage === 'finished' ? 'done' : undefined);
    const line = this.suites.get(e.suite);
    if (line) {
      line.text.textContent = label;
      line.bar.max = Math.max(e.total, 1);
      line.bar.value = e.done;
      return;
    }
    const text = h('span', null, label);
    const bar = h('progress', { max: Math.max(e.total, 1), value: e.done });
    this.suites.set(e.suite, { text, bar });
    this.step([text, ' ', bar]);
  }

  note(text: string): void {
    this.step(text, 'muted');
  }

  private step(content: Child, cls?: string): HTMLElement {
    this.current?.classList.remove('current');
    const li = h('li', { class: ['current', cls].filter(Boolean).join(' ') }, content);
    this.el.append(li);
    this.current = li;
    return li;
  }

  done(): void {
    this.current?.classList.remove('current');
  }
}
