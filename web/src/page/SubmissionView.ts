/** Follows one submission: live steps while it is graded, then its result (or why there is none). */
import { followSubmission, getSubmission, type Submission } from '../api';
import { h, link, replace } from './dom';
import { errorView } from './ErrorView';
import { ProgressView } from './ProgressView';
import { resultView } from './ResultView';

export function finishedView(s: Submission): HTMLElement {
  if (s.result) return resultView(s.result);
  if (s.status === 'failed')
    return h(
      'div',
      { class: 'error' },
      h('strong', null, 'Grading failed on our side'),
      h(
        'p',
        null,
        'This is never your fault: the grader hit an internal error and gave up after its retries. Submit again, and report the submission id if it persists.',
      ),
    );
  return h('p', { class: 'muted' }, `Status: ${s.status}`);
}

export async function watchSubmission(container: HTMLElement, id: string, signal: AbortSignal): Promise<Submission | undefined> {
  const progress = new ProgressView();
  const out = h('div', { class: 'submission-result' });
  replace(container, h('p', { class: 'submission-id' }, 'Submission ', link(`/submissions/${id}`, h('code', null, id))), progress.el, out);
  let final: Submission | undefined;
  try {
    await followSubmission(
      id,
      {
        onStatus: (status, message) => progress.status(status, message),
        onProgress: (e) => progress.progress(e),
        onResult: (s) => {
          final = s;
        },
        onReconnect: (n) => progress.note(`connection lost; reconnecting (attempt ${n})`),
      },
      signal,
    );
    // The stream ended without a result only when aborted; one last read settles the state.
    if (!final && !signal.aborted) final = await getSubmission(id);
  } catch (e) {
    if (signal.aborted) return undefined;
    out.append(errorView(e));
    return undefined;
  } finally {
    progress.done();
  }
  if (final && !signal.aborted) replace(out, finishedView(final));
  return final;
}
