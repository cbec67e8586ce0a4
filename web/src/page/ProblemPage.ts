/** `/problems/:id`: the statement, a language picker with the starter code, an editor, Submit, live progress and the result. */
import type { Language } from '@assay/contracts';
import { createSubmission, getProblem, type ProblemDetail } from '../api';
import { h, link, markdown, replace } from './dom';
import { codeEditor } from './Editor';
import { errorView } from './ErrorView';
import { watchSubmission } from './SubmissionView';

const draftKey = (problemId: string, lang: string) => `assay.draft.${problemId}.${lang}`;
const langKey = 'assay.language';

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

export async function problemPage(root: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  let p: ProblemDetail;
  try {
    p = await getProblem(id);
  } catch (e) {
    replace(root, link('/', '← all problems'), errorView(e));
    return;
  }
  if (signal.aborted) return;
  document.title = `${p.title} · Assay`;

  const preferred = storage()?.getItem(langKey) as Language | null;
  let lang: Language = preferred && p.languages.includes(preferred) ? preferred : p.languages[0]!;
  const starterOf = (l: Language) => p.starter[l]?.content ?? '';
  const entryOf = (l: Language) => p.entry[l] ?? p.starter[l]?.path ?? (l === 'typescript' ? 'solution.ts' : 'solution.js');

  const saved = h('span', { class: 'muted saved' });
  const editor = codeEditor({
    onChange: () => {
      storage()?.setItem(draftKey(p.id, lang), editor.value);
      saved.textContent = 'draft saved in this browser';
    },
    onSubmit: () => void submit(),
  });
  const load = (l: Language) => {
    lang = l;
    storage()?.setItem(langKey, l);
    editor.value = storage()?.getItem(draftKey(p.id, l)) ?? starterOf(l);
    fileName.textContent = entryOf(l);
    saved.textContent = '';
  };
  const fileName = h('code', { class: 'file-name' });
  const picker = h(
    'select',
    { 'aria-label': 'language', onchange: () => load(picker.value as Language) },
    p.languages.map((l) =>
      h('option', { value: l, selected: l === lang }, l === 'typescript' ? 'TypeScript' : l === 'javascript' ? 'JavaScript' : l),
    ),
  );
  const reset = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        if (editor.value !== starterOf(lang) && !confirm('Replace your code with the starter code?')) return;
        storage()?.removeItem(draftKey(p.id, lang));
        load(lang);
      },
    },
    'Reset to starter',
  );
  const submitButton = h('button', { type: 'button', class: 'primary', onclick: () => void submit() }, 'Submit');
  const run = h('div', { class: 'run' });
  load(lang);

  let running: AbortController | undefined;
  async function submit(): Promise<void> {
    if (submitButton.disabled) return;
    running?.abort();
    const mine = (running = new AbortController());
    signal.addEventListener('abort', () => mine.abort(), { once: true });
    submitButton.disabled = true;
    submitButton.textContent = 'Submitting…';
    replace(run);
    try {
      const sub = await createSubmission({ problemId: p.id, language: lang, files: [{ path: entryOf(lang), content: editor.value }] });
      submitButton.textContent = 'Grading…';
      await watchSubmission(run, sub.id, mine.signal);
    } catch (e) {
      replace(run, errorView(e));
    } finally {
      submitButton.disabled = false;
      submitButton.textContent = 'Submit';
    }
  }

  const limits = p.limits;
  replace(
    root,
    h(
      'div',
      { class: 'problem' },
      h(
        'article',
        { class: 'statement' },
        link('/', '← all problems'),
        h(
          'p',
          { class: 'problem-meta' },
          h('span', { class: `difficulty difficulty-${p.difficulty}` }, p.difficulty),
          ` ~${p.estimatedMinutes} min · ${p.kind === 'service' ? 'HTTP service' : 'module'} · v${p.version}`,
          p.practice ? null : h('span', { class: 'tag', title: 'submitting needs an API key' }, 'assessment'),
        ),
        markdown(p.statement),
        h(
          'details',
          { class: 'limits' },
          h('summary', null, 'Limits and suites'),
          h(
            'ul',
            null,
            h(
              'li',
              null,
              `wall clock ${limits.wallMs / 1000} s, memory ${limits.memoryMb} MB, ` +
                `output ${Math.round(limits.outputBytes / 1024)} KiB, ${limits.testTimeoutMs / 1000} s per test`,
            ),
            h('li', null, 'suites: ', p.suites.map((s) => `${s.name} (weight ${s.weight})`).join(', ')),
            p.sampleTests.length ? h('li', null, 'sample tests (shown in full in your result): ', p.sampleTests.join(', ')) : null,
            p.complexity.length
              ? h('li', null, 'expected growth: ', p.complexity.map((c) => `${c.operation} ${c.expected}`).join(', '))
              : null,
          ),
        ),
      ),
      h(
        'section',
        { class: 'workspace' },
        h('div', { class: 'toolbar' }, picker, fileName, saved, h('span', { class: 'spacer' }), reset),
        editor,
        h(
          'div',
          { class: 'submit-row' },
          submitButton,
          h('span', { class: 'muted small' }, 'Tab indents, Shift+Tab outdents, Esc then Tab leaves the editor, Ctrl+Enter submits.'),
        ),
        run,
      ),
    ),
  );
}
