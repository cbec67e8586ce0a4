/** `/`: the problems, with difficulty, estimated minutes and tags. */
import { listProblems } from '../api';
import { h, link, replace } from './dom';
import { errorView } from './ErrorView';

export async function problemList(root: HTMLElement): Promise<void> {
  document.title = 'Problems · Assay';
  replace(root, h('h1', null, 'Problems'), h('p', { class: 'muted' }, 'Loading…'));
  try {
    const problems = await listProblems();
    replace(
      root,
      h('h1', null, 'Problems'),
      h(
        'p',
        { class: 'lead' },
        'Pick a problem, write your solution in TypeScript or JavaScript, and submit it: ' +
          'it is graded in a sandbox on correctness, behaviour under concurrency, speed and how it scales.',
      ),
      h(
        'table',
        { class: 'problems' },
        h(
          'thead',
          null,
          h('tr', null, h('th', null, 'problem'), h('th', null, 'difficulty'), h('th', { class: 'num' }, 'time'), h('th', null, 'tags')),
        ),
        h(
          'tbody',
          null,
          problems.map((p) =>
            h(
              'tr',
              null,
              h(
                'td',
                null,
                link(`/problems/${encodeURIComponent(p.id)}`, p.title),
                p.practice
                  ? null
                  : [' ', h('span', { class: 'tag', title: 'part of assessments: submitting needs an API key' }, 'assessment')],
              ),
              h('td', null, h('span', { class: `difficulty difficulty-${p.difficulty}` }, p.difficulty)),
              h('td', { class: 'num' }, `~${p.estimatedMinutes} min`),
              h(
                'td',
                null,
                p.tags.map((t) => h('span', { class: 'tag' }, t)),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    replace(root, h('h1', null, 'Problems'), errorView(e));
  }
}
