/** `/submissions/:id`: one submission, live while it is graded, then its result. */
import { getSubmission } from '../api';
import { h, link, replace } from './dom';
import { errorView } from './ErrorView';
import { finishedView, watchSubmission } from './SubmissionView';

export async function submissionPage(root: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  document.title = `Submission ${id.slice(0, 8)} · Assay`;
  const body = h('div');
  replace(root, h('h1', null, 'Submission'), body);
  try {
    const s = await getSubmission(id);
    if (signal.aborted) return;
    const head = h(
      'p',
      { class: 'muted' },
      link(`/problems/${encodeURIComponent(s.problemId)}`, s.problemId),
      ` v${s.problemVersion} · ${s.language} · submitted ${new Date(s.createdAt).toLocaleString()}`,
    );
    body.before(head);
    if (s.status === 'completed' || s.status === 'failed')
      replace(body, h('p', { class: 'submission-id' }, h('code', null, s.id)), finishedView(s));
    else await watchSubmission(body, id, signal);
  } catch (e) {
    replace(body, errorView(e));
  }
}
