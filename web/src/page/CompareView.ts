/** Candidates side by side: verdict, score, each suite's passed/total, latency ratios and complexity classes. */
import type { Submission } from '../api';
import { type Child, fmtMs, h, num } from './dom';
import { classLabel, verdictBadge } from './ResultView';

export function compareView(subs: Submission[]): HTMLElement {
  const results = subs.map((s) => s.result);
  const suites = [...new Set(results.flatMap((r) => r?.suites.map((s) => s.name) ?? []))];
  const latency = [...new Set(results.flatMap((r) => r?.latency.map((l) => l.operation) ?? []))];
  const complexity = [...new Set(results.flatMap((r) => r?.complexity.map((c) => c.operation) ?? []))];
  const rows: Array<[string, (s: Submission) => Child]> = [
    ['problem', (s) => `${s.problemId} v${s.problemVersion}`],
    ['language', (s) => s.language],
    ['submitted', (s) => new Date(s.createdAt).toLocaleString()],
    ['verdict', (s) => (s.result ? verdictBadge(s.result.verdict) : s.status)],
    ['score', (s) => (s.result ? h('strong', null, num(s.result.score, 1)) : '–')],
    ...suites.map((name): [string, (s: Submission) => Child] => [
      `${name} passed`,
      (s) => {
        const suite = s.result?.suites.find((x) => x.name === name);
        return suite ? h('span', { class: suite.passed === suite.total ? 'ok' : 'bad' }, `${suite.passed}/${suite.total}`) : '–';
      },
    ]),
    ...latency.map((op): [string, (s: Submission) => Child] => [
      `latency ${op}`,
      (s) => {
        const l = s.result?.latency.find((x) => x.operation === op);
        return l
          ? h('span', { class: l.passed ? 'ok' : 'bad' }, l.error ? 'not measured' : `${num(l.ratio)}× (≤ ${num(l.allowedRatio)}×)`)
          : '–';
      },
    ]),
    ...complexity.map((op): [string, (s: Submission) => Child] => [
      `complexity ${op}`,
      (s) => {
        const c = s.result?.complexity.find((x) => x.operation === op);
        if (!c) return '–';
        const worse = c.class !== c.expected && c.class !== 'inconclusive';
        return h(
          'span',
          {
            class: worse ? (c.confident ? 'bad' : 'warn') : 'ok',
            title: `exponent ${num(c.exponent)} [${num(c.interval[0])}, ${num(c.interval[1])}], expected ${c.expected}`,
          },
          classLabel(c.class),
        );
      },
    ]),
    ['static hints', (s) => String(s.result?.staticHints.length ?? '–')],
    ['wall time', (s) => (s.result ? fmtMs(s.result.resources.wallMs) : '–')],
  ];
  return h(
    'table',
    { class: 'compare' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, ''),
        subs.map((s) => h('th', null, h('code', { title: s.id }, s.id.slice(0, 8)))),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map(([label, cell]) =>
        h(
          'tr',
          null,
          h('th', null, label),
          subs.map((s) => h('td', null, cell(s))),
        ),
      ),
    ),
  );
}
