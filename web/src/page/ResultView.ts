/**
 * Renders a grading result (`Result` from @assay/contracts): verdict, score, summary, suites and their
 * tests, latency, complexity, static hints, compile diagnostics and captured output. Every string
 * in a result may come from the candidate's code, so all of it goes in as text.
 */
import type { ComplexityClass, ComplexityResult, LatencyResult, Result, SuiteResult, TestResult, Verdict } from '@assay/contracts';
import { type Child, fmtBytes, fmtDate, fmtMs, h, num } from './dom';

const VERDICT_LABEL: Record<Verdict, string> = {
  accepted: 'Accepted',
  partial: 'Partial',
  wrong_answer: 'Wrong answer',
  compile_error: 'Compile error',
  runtime_error: 'Runtime error',
  time_limit_exceeded: 'Time limit exceeded',
  memory_limit_exceeded: 'Memory limit exceeded',
  output_limit_exceeded: 'Output limit exceeded',
  internal_error: 'Internal error',
};

export function verdictBadge(v: Verdict | null | undefined): HTMLElement {
  if (!v) return h('span', { class: 'badge badge-none' }, '–');
  return h('span', { class: `badge badge-${v}`, title: v }, VERDICT_LABEL[v] ?? v);
}

const CLASS_LABEL: Record<ComplexityClass, string> = {
  sublinear: 'sublinear',
  linear: 'linear',
  quadratic: 'quadratic',
  cubic_or_worse: 'cubic or worse',
  inconclusive: 'inconclusive',
};
const CLASS_NOTATION: Partial<Record<ComplexityClass, string>> = {
  sublinear: 'O(1), O(log n)',
  linear: 'O(n), O(n log n)',
  quadratic: 'O(n²)',
  cubic_or_worse: 'O(n³) or worse',
};
export function classView(c: ComplexityClass, cls?: string): HTMLElement {
  const notation = CLASS_NOTATION[c];
  return h(
    'span',
    { class: ['complexity-class', cls].filter(Boolean).join(' ') },
    CLASS_LABEL[c] ?? c,
    notation ? h('small', null, notation) : null,
  );
}
export const classLabel = (c: ComplexityClass) => (CLASS_NOTATION[c] ? `${CLASS_LABEL[c]} (${CLASS_NOTATION[c]})` : (CLASS_LABEL[c] ?? c));

/** The grader writes `code` in backticks (summary, hints): shown as <code>, built as nodes, never parsed as markup. */
export function withCode(text: string): Child[] {
  return text.split(/`([^`\n]+)`/).map((part, i) => (i % 2 ? h('code', null, part) : part));
}

const MAX_VALUE_CHARS = 4000;
function showValue(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : (JSON.stringify(v, null, 2) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}\n… (${s.length - MAX_VALUE_CHARS} more characters)` : s;
}

export function resultView(r: Result): HTMLElement {
  return h(
    'div',
    { class: 'result' },
    header(r),
    r.compile.diagnostics.length || !r.compile.ok ? compileView(r) : null,
    r.suites.map(suiteView),
    r.latency.length ? latencyView(r.latency) : null,
    r.complexity.length ? complexityView(r.complexity) : null,
    r.staticHints.length ? hintsView(r) : null,
    outputView(r),
    metaView(r),
  );
}

function header(r: Result): HTMLElement {
  return h(
    'section',
    { class: 'result-head' },
    h(
      'div',
      { class: 'verdict' },
      verdictBadge(r.verdict),
      h('span', { class: 'score', title: 'score out of 100' }, num(r.score, 1), h('small', null, ' / 100')),
    ),
    h('p', { class: 'summary' }, withCode(r.summary)),
    h(
      'ul',
      { class: 'suite-chips' },
      r.suites.map((s) => h('li', { class: s.passed === s.total ? 'ok' : 'bad' }, `${s.name} ${s.passed}/${s.total}`)),
    ),
  );
}

function compileView(r: Result): HTMLElement {
  return h(
    'section',
    null,
    h('h3', null, r.compile.ok ? 'Compiler warnings' : 'Compile errors'),
    r.compile.diagnostics.length
      ? h('pre', { class: 'diagnostics' }, r.compile.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}\n`).join(''))
      : h('p', null, 'The build failed without diagnostics.'),
  );
}

const COLLAPSE_PASSED_OVER = 25;

function suiteView(s: SuiteResult): HTMLElement {
  const failing = s.tests.filter((t) => t.status !== 'passed');
  const passed = s.tests.filter((t) => t.status === 'passed');
  const collapse = s.tests.length > COLLAPSE_PASSED_OVER;
  return h(
    'section',
    { class: 'suite' },
    h(
      'h3',
      null,
      `${s.name} `,
      h('span', { class: s.passed === s.total ? 'count ok' : 'count bad' }, `${s.passed}/${s.total}`),
      h('small', null, ` weight ${s.weight}`),
    ),
    h('progress', { max: Math.max(s.total, 1), value: s.passed }),
    s.tests.length === 0
      ? h(
          'p',
          { class: 'muted' },
          s.name === 'latency' || s.name === 'complexity' ? `The ${s.name} measurements are below.` : 'No tests ran in this suite.',
        )
      : collapse
        ? [
            failing.length ? testTable(failing, s.name) : h('p', { class: 'muted' }, 'Every test passed.'),
            passed.length ? h('details', null, h('summary', null, `${passed.length} passed tests`), testTable(passed, s.name)) : null,
          ]
        : testTable(s.tests, s.name),
  );
}

function testTable(tests: TestResult[], suite: SuiteResult['name']): HTMLElement {
  return h(
    'table',
    { class: 'tests' },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, 'test'), h('th', null, 'status'), h('th', { class: 'num' }, 'time'), h('th', null, 'message')),
    ),
    h(
      'tbody',
      null,
      tests.map((t) => testRows(t, suite === 'correctness')),
    ),
  );
}

/** `tagged`: mark sample and hidden tests (correctness only; other suites show no test data anyway). */
function testRows(t: TestResult, tagged: boolean): Child {
  const hasValues = t.sample && (t.expected !== undefined || t.actual !== undefined);
  const row = h(
    'tr',
    { class: `test-${t.status}` },
    h(
      'td',
      null,
      t.name,
      tagged || t.sample ? [' ', h('span', { class: t.sample ? 'tag tag-sample' : 'tag' }, t.sample ? 'sample' : 'hidden')] : null,
    ),
    h('td', null, h('span', { class: `status status-${t.status}` }, t.status)),
    h('td', { class: 'num' }, fmtMs(t.durationMs)),
    h('td', { class: 'message' }, t.message ?? ''),
  );
  if (!hasValues) return row;
  return [
    row,
    h(
      'tr',
      { class: 'values' },
      h(
        'td',
        { colspan: 4 },
        h(
          'div',
          { class: 'expected-actual' },
          h('div', null, h('h4', null, 'expected'), h('pre', null, showValue(t.expected))),
          h('div', null, h('h4', null, 'actual'), h('pre', null, showValue(t.actual))),
        ),
      ),
    ),
  ];
}

/** A table that may be wider than a phone: it scrolls sideways in its own box, the page does not. */
function scroll(...args: Parameters<typeof h<'table'>>): HTMLElement {
  return h('div', { class: 'scroll' }, h(...args));
}

function latencyView(rows: LatencyResult[]): HTMLElement {
  const p = (x: { p50: number; p95: number; p99: number }, unit: string) =>
    `${num(x.p50)} / ${num(x.p95)} / ${num(x.p99)} ${unit === 'us' ? 'µs' : unit}`;
  return h(
    'section',
    null,
    h('h3', null, 'Latency'),
    scroll(
      'table',
      { class: 'latency' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'operation'),
          h('th', null, 'yours p50 / p95 / p99'),
          h('th', null, 'reference p50 / p95 / p99'),
          h('th', { class: 'num' }, 'ratio'),
          h('th', null, ''),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((l) =>
          h(
            'tr',
            null,
            h('td', null, h('code', null, l.operation)),
            h('td', null, l.error ? h('span', { class: 'bad' }, l.error) : p(l.candidate, l.unit)),
            h('td', null, p(l.reference, l.unit)),
            h('td', { class: 'num' }, `${num(l.ratio)}× of ${num(l.allowedRatio)}× allowed`),
            h(
              'td',
              null,
              h('span', { class: l.passed ? 'status status-passed' : 'status status-failed' }, l.passed ? 'passed' : 'too slow'),
            ),
          ),
        ),
      ),
    ),
  );
}

function complexityView(rows: ComplexityResult[]): HTMLElement {
  return h(
    'section',
    null,
    h('h3', null, 'Complexity'),
    scroll(
      'table',
      { class: 'complexity' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'operation'),
          h('th', null, 'measured'),
          h('th', null, 'expected'),
          h('th', null, 'exponent [interval]'),
          h('th', null, 'time per call vs size'),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((c) => {
          const worse = c.class !== c.expected && c.class !== 'inconclusive';
          return [
            h(
              'tr',
              null,
              h('td', null, h('code', null, c.operation)),
              h(
                'td',
                null,
                classView(c.class, worse ? (c.confident ? 'bad' : 'warn') : 'ok'),
                c.confident
                  ? null
                  : h('small', { class: 'muted', title: 'the interval crosses a class boundary or the trials disagreed' }, 'not confident'),
              ),
              h('td', null, classView(c.expected)),
              h('td', null, `${num(c.exponent)} [${num(c.interval[0])}, ${num(c.interval[1])}]`),
              h('td', null, growthChart(c)),
            ),
            c.hint ? h('tr', { class: 'hint-row' }, h('td', { colspan: 5 }, h('p', { class: 'hint' }, withCode(c.hint)))) : null,
          ];
        }),
      ),
    ),
  );
}

/** A small log-log plot of ns per call against size (SVG built as nodes, no markup strings). */
function growthChart(c: ComplexityResult): Child {
  const pts = c.sizes.map((n, i) => [n, c.nsPerOp[i]] as const).filter(([n, t]) => n! > 0 && t !== undefined && t > 0) as Array<
    readonly [number, number]
  >;
  if (pts.length < 2) return null;
  const W = 140,
    H = 40,
    pad = 3;
  const xs = pts.map(([n]) => Math.log2(n)),
    ys = pts.map(([, t]) => Math.log2(t));
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  // At least a 4× range on the y axis, so flat lines look flat.
  const span = Math.max(y1 - y0, 2);
  const sy = (y: number) => H - pad - ((y - y0) / span) * (H - 2 * pad);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('class', 'growth');
  const title = document.createElementNS(NS, 'title');
  title.textContent = pts.map(([n, t]) => `n=${n}: ${num(t, 1)} ns`).join('\n');
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i]!).toFixed(1)}`).join(' '));
  svg.append(title, line);
  return svg;
}

function hintsView(r: Result): HTMLElement {
  return h(
    'section',
    null,
    h('h3', null, 'Hints from reading your code'),
    h(
      'ul',
      { class: 'static-hints' },
      r.staticHints.map((s) =>
        h(
          'li',
          null,
          h('span', { class: `status ${s.status === 'confirmed' ? 'status-failed' : 'status-skipped'}` }, s.status),
          ' ',
          h('code', null, `${s.file}:${s.line}`),
          ' ',
          h('code', null, s.pattern),
          ' — ',
          withCode(s.message),
        ),
      ),
    ),
  );
}

function outputView(r: Result): HTMLElement | null {
  const { stdout, stderr, truncated } = r.output;
  if (!stdout && !stderr) return null;
  return h(
    'section',
    null,
    h('h3', null, 'Your output during the sample tests'),
    stdout ? [h('h4', null, 'stdout'), h('pre', { class: 'output' }, stdout)] : null,
    stderr ? [h('h4', null, 'stderr'), h('pre', { class: 'output' }, stderr)] : null,
    truncated ? h('p', { class: 'muted' }, 'Output was cut at the cap.') : null,
  );
}

function metaView(r: Result): HTMLElement {
  const items: Array<[string, string]> = [
    ['problem', `${r.problem.id} v${r.problem.version}`],
    ['language', r.language],
    ['cpu', fmtMs(r.resources.cpuMs)],
    ['peak memory', fmtBytes(r.resources.peakMemoryBytes)],
    ['wall', fmtMs(r.resources.wallMs)],
    ['finished', fmtDate(r.timings.finishedAt)],
    ['grader', r.graderVersion],
  ];
  return h(
    'footer',
    { class: 'result-meta' },
    h(
      'dl',
      null,
      // One group per pair, so a pair wraps to the next line whole.
      items.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))),
    ),
  );
}
