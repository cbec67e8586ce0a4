/**
 * `/dashboard`: the organisation's submissions (needs its API key): filters, "Load more", select
 * rows to compare side by side, open one result, export the visible rows as CSV.
 */
import { SUBMISSION_STATUSES } from '@assay/contracts';
import { apiKey, getSubmission, listProblems, listSubmissions, type SubmissionSummary } from '../api';
import { toCsv } from '../csv';
import { compareView } from './CompareView';
import { fmtDate, h, num, replace } from './dom';
import { errorView } from './ErrorView';
import { verdictBadge } from './ResultView';
import { finishedView, watchSubmission } from './SubmissionView';

const STATUSES = SUBMISSION_STATUSES;
const PAGE = 25;
const MAX_COMPARE = 8;

export async function dashboard(root: HTMLElement, signal: AbortSignal): Promise<void> {
  document.title = 'Dashboard · Assay';
  if (!apiKey.get()) {
    replace(
      root,
      h('h1', null, 'Dashboard'),
      h(
        'p',
        { class: 'lead' },
        "Enter your organisation's API key in the field at the top right to see its submissions. Create one with ",
        h('code', null, 'npx assay keys create --org "Your team"'),
        '.',
      ),
    );
    return;
  }

  let rows: SubmissionSummary[] = [];
  let cursor: string | null = null;
  const selected = new Set<string>();

  const problemFilter = h('select', { 'aria-label': 'problem', onchange: () => void reload() }, h('option', { value: '' }, 'all problems'));
  const statusFilter = h(
    'select',
    { 'aria-label': 'status', onchange: () => void reload() },
    h('option', { value: '' }, 'any status'),
    STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const tbody = h('tbody');
  const selectAll = h('input', {
    type: 'checkbox',
    'aria-label': 'select all',
    onchange: () => {
      for (const r of rows) toggle(selected, r.id, selectAll.checked);
      renderRows();
    },
  });
  const more = h('button', { type: 'button', class: 'secondary', onclick: () => void loadPage() }, 'Load more');
  const compareButton = h('button', { type: 'button', class: 'primary', onclick: () => void compare() }, 'Compare');
  const exportButton = h('button', { type: 'button', class: 'secondary', onclick: () => exportCsv() }, 'Export CSV');
  const status = h('p', { class: 'muted' });
  const panel = h('div', { class: 'panel' });
  let detail: AbortController | undefined;

  replace(
    root,
    h('h1', null, 'Dashboard'),
    h('div', { class: 'toolbar' }, problemFilter, statusFilter, h('span', { class: 'spacer' }), compareButton, exportButton),
    // Wider than a phone: it scrolls sideways in its own box, the page does not.
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'submissions' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, selectAll),
            h('th', null, 'submitted'),
            h('th', null, 'problem'),
            h('th', null, 'language'),
            h('th', null, 'status'),
            h('th', null, 'verdict'),
            h('th', { class: 'num' }, 'score'),
            h('th', null, 'id'),
          ),
        ),
        tbody,
      ),
    ),
    h('div', { class: 'toolbar' }, status, h('span', { class: 'spacer' }), more),
    panel,
  );

  void listProblems()
    .then((ps) => problemFilter.append(...ps.map((p) => h('option', { value: p.id }, p.title))))
    .catch(() => {});

  function renderRows(): void {
    replace(
      tbody,
      rows.length === 0 ? h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No submissions match.')) : null,
      rows.map((r) =>
        h(
          'tr',
          { class: selected.has(r.id) ? 'selected' : undefined },
          h(
            'td',
            null,
            h('input', {
              type: 'checkbox',
              'aria-label': `select ${r.id}`,
              checked: selected.has(r.id),
              onchange: (e: Event) => {
                toggle(selected, r.id, (e.target as HTMLInputElement).checked);
                renderRows();
              },
            }),
          ),
          h('td', null, fmtDate(r.createdAt)),
          h('td', null, r.problemId),
          h('td', null, r.language),
          h('td', null, r.status),
          h('td', null, verdictBadge(r.verdict)),
          h('td', { class: 'num' }, r.score === null ? '–' : num(r.score, 1)),
          h(
            'td',
            null,
            h(
              'button',
              { type: 'button', class: 'link', title: 'open this result below', onclick: () => void open(r.id) },
              h('code', null, r.id.slice(0, 8)),
            ),
          ),
        ),
      ),
    );
    const n = rows.filter((r) => selected.has(r.id)).length;
    compareButton.textContent = `Compare selected (${n})`;
    compareButton.disabled = n < 1;
    exportButton.textContent = `Export CSV (${rows.length} rows)`;
    exportButton.disabled = rows.length === 0;
    selectAll.checked = rows.length > 0 && n === rows.length;
    more.hidden = cursor === null;
    status.textContent = `${rows.length} submission${rows.length === 1 ? '' : 's'} shown${cursor ? '; more available' : ''}`;
  }

  async function loadPage(first = false): Promise<void> {
    more.disabled = true;
    try {
      const page = await listSubmissions({
        problemId: problemFilter.value,
        status: statusFilter.value,
        limit: PAGE,
        ...(first || !cursor ? {} : { cursor }),
      });
      if (signal.aborted) return;
      rows = first ? page.items : [...rows, ...page.items];
      cursor = page.nextCursor;
      renderRows();
    } catch (e) {
      replace(panel, errorView(e));
    } finally {
      more.disabled = false;
    }
  }

  async function reload(): Promise<void> {
    cursor = null;
    selected.clear();
    await loadPage(true);
  }

  async function open(id: string): Promise<void> {
    detail?.abort();
    const mine = (detail = new AbortController());
    signal.addEventListener('abort', () => mine.abort(), { once: true });
    const body = h('div');
    replace(panel, h('h2', null, 'Result ', h('a', { href: `/submissions/${id}`, 'data-route': true }, h('code', null, id))), body);
    panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
    try {
      const s = await getSubmission(id);
      if (mine.signal.aborted) return;
      if (s.status === 'completed' || s.status === 'failed') replace(body, finishedView(s));
      else await watchSubmission(body, id, mine.signal);
    } catch (e) {
      replace(body, errorView(e));
    }
  }

  async function compare(): Promise<void> {
    const ids = rows.filter((r) => selected.has(r.id)).map((r) => r.id);
    if (!ids.length) return;
    const shown = ids.slice(0, MAX_COMPARE);
    replace(panel, h('h2', null, 'Comparison'), h('p', { class: 'muted' }, 'Loading…'));
    try {
      const subs = await Promise.all(shown.map((id) => getSubmission(id)));
      if (signal.aborted) return;
      replace(
        panel,
        h('h2', null, 'Comparison'),
        ids.length > MAX_COMPARE ? h('p', { class: 'muted' }, `The first ${MAX_COMPARE} of ${ids.length} selected.`) : null,
        h('div', { class: 'scroll' }, compareView(subs)),
      );
      panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (e) {
      replace(panel, h('h2', null, 'Comparison'), errorView(e));
    }
  }

  function exportCsv(): void {
    const csv = toCsv(
      ['id', 'createdAt', 'problemId', 'problemVersion', 'language', 'status', 'verdict', 'score', 'startedAt', 'finishedAt'],
      rows.map((r) => [
        r.id,
        r.createdAt,
        r.problemId,
        r.problemVersion,
        r.language,
        r.status,
        r.verdict,
        r.score,
        r.startedAt,
        r.finishedAt,
      ]),
    );
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { download: `assay-submissions-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.csv` });
    a.href = url; // a blob: URL, which h() does not take as an href
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  renderRows();
  await loadPage(true);
}

function toggle(set: Set<string>, id: string, on: boolean): void {
  if (on) set.add(id);
  else set.delete(id);
}
