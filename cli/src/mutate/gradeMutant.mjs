#!/usr/bin/env node
// The command StrykerJS's command runner starts for its initial run and for each mutant: it asks the
// `assay problems mutate` process, which holds the grader, to grade the instrumented reference in this
// sandbox (the working directory) with the mutant in __STRYKER_ACTIVE_MUTANT__, and exits 0 only when
// the verdict is `accepted`. Plain JavaScript, so a run costs a bare Node start-up.
import http from 'node:http';

const socketPath = process.env.ASSAY_MUTATE_SOCKET;
const packageId = process.env.ASSAY_MUTATE_PACKAGE;
if (!socketPath || !packageId) {
  process.stderr.write('gradeMutant: ASSAY_MUTATE_SOCKET and ASSAY_MUTATE_PACKAGE must be set (run `assay problems mutate`)\n');
  process.exit(2);
}
const body = JSON.stringify({ packageId, mutant: process.env.__STRYKER_ACTIVE_MUTANT__ || null, dir: process.cwd() });

const req = http.request({ socketPath, path: '/grade', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (text += chunk));
  res.on('end', () => {
    if (res.statusCode !== 200) {
      process.stderr.write(`gradeMutant: ${res.statusCode} ${text}\n`);
      process.exit(2);
    }
    const answer = JSON.parse(text);
    process.stdout.write(`${answer.verdict}: ${answer.summary}\n`);
    process.exit(answer.verdict === 'accepted' ? 0 : 1);
  });
});
req.on('error', (e) => {
  process.stderr.write(`gradeMutant: the grading service is unreachable: ${e.message}\n`);
  process.exit(2);
});
req.end(body);
