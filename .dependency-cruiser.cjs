/**
 * The layers, top to bottom; imports point down only (`npm run lint:deps`, part of `npm test`):
 *
 *   web (browser) ─▶ contracts
 *   api ─▶ platform ─▶ sdk ─▶ contracts          cli, bench ─▶ anything below them
 *   worker ─▶ platform, grader
 *   grader (host) ─▶ container (bundled into the runner image) ─▶ sdk ─▶ contracts
 *   problems/<id>/suites.ts (and its suites/ modules) ─▶ sdk; candidate-side files (starter, reference, submissions) ─▶ nothing
 */
const tests = '[.]test[.]ts$|/testing[.]ts$';
const below = (from, allowed, extra = {}) => ({
  name: `${from}-imports-down`,
  comment: `${from}/ may import only ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^${from}/`, ...extra },
  to: {
    path: '^(contracts|sdk|container|grader|platform|worker|api|web|cli|bench|problems)/',
    pathNot: `^(${[from, ...allowed].join('|')})/`,
  },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    below('contracts', []),
    below('sdk', ['contracts']),
    below('container', ['sdk', 'contracts']),
    {
      name: 'container-without-package-loader',
      comment: 'the driver bundle must not pull in the host-side package loader (fs, esbuild)',
      severity: 'error',
      from: { path: '^container/' },
      to: { path: '^sdk/src/package/' },
    },
    below('grader', ['container', 'sdk', 'contracts'], { pathNot: tests }),
    below('platform', ['sdk', 'contracts'], { pathNot: tests }),
    below('worker', ['platform', 'grader', 'sdk', 'contracts'], { pathNot: tests }),
    // The API process may also run a worker: only its entry point (and tests) may start one.
    below('api', ['platform', 'contracts'], { pathNot: `${tests}|^api/src/main[.]ts$` }),
    below('web', ['contracts'], { pathNot: `${tests}|^web/scripts/` }),
    below('cli', ['worker', 'grader', 'platform', 'sdk', 'contracts']),
    {
      name: 'suites-use-the-sdk',
      severity: 'error',
      comment: 'a package may split its suites into modules under its own suites/ folder',
      from: { path: '^problems/([^/]+)/(suites[.]ts$|suites/)' },
      to: {
        path: '^(contracts|container|grader|platform|worker|api|web|cli|bench|problems)/|^sdk/src/package/',
        pathNot: '^problems/$1/suites/',
      },
    },
    {
      name: 'candidate-code-stands-alone',
      comment: 'starters, references and known-verdict submissions are what a candidate could submit',
      severity: 'error',
      from: { path: '^problems/[^/]+/(starter|reference|submissions)/' },
      to: { path: '^(contracts|sdk|container|grader|platform|worker|api|web|cli|bench|problems)/' },
    },
    {
      name: 'tests-never-imported',
      comment: 'test helpers (testing.ts) serve tests, benchmarks and the screenshot script only',
      severity: 'error',
      from: { pathNot: `${tests}|^bench/|^web/scripts/` },
      to: { path: tests },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
