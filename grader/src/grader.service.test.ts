/**
 * Service problems end to end: the candidate's HTTP server runs in the sandbox, the driver
 * talks HTTP to it, and HTTP latency is judged against the reference server in the same run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProblemPackage, Result } from '@assay/contracts';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'problems');
let grader: Grader;
let problem: ProblemPackage;

const grade = (content: string, language: 'javascript' | 'typescript' = 'javascript'): Promise<Result> =>
  grader.grade({ problem, language, files: [{ path: language === 'javascript' ? 'server.js' : 'server.ts', content }] });

beforeAll(async () => {
  grader = await Grader.create();
  problem = await loadProblem('echo-service', FIXTURES);
});

describe('service problems', () => {
  it('grades the reference server as accepted, with HTTP latency next to itself', async () => {
    const r = await grade(problem.reference.files[0]!.content, 'typescript');
    expect(r).toMatchObject({ verdict: 'accepted', score: 100 });
    expect(r.latency[0]).toMatchObject({ operation: 'POST /echo', unit: 'ms', passed: true });
  });

  it('accepts an Express server (the runner image carries express)', async () => {
    const r = await grade(`import express from 'express';
const app = express();
app.use(express.json());
app.get('/health', (req, res) => res.json({ ok: true }));
app.post('/echo', (req, res) => res.json(req.body));
app.use((req, res) => res.status(404).json({ error: 'not found' }));
app.listen(Number(process.env.PORT), '127.0.0.1');`);
    expect(r).toMatchObject({ verdict: 'accepted', score: 100 });
  });

  it('a server that never listens is a runtime_error saying so', async () => {
    const r = await grade(`setInterval(() => {}, 1000);`);
    expect(r.verdict).toBe('runtime_error');
    expect(r.summary).toMatch(/did not listen on 127\.0\.0\.1:\d+/);
  });

  it('a server proxying to port 3001 gains nothing: the reference server listens on nothing (the driver hands it its connections)', async () => {
    const r = await grade(`import http from 'node:http';
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: 3001, method: req.method, path: req.url, headers: req.headers }, (u) => {
    res.writeHead(u.statusCode, u.headers);
    u.pipe(res);
  });
  up.on('error', () => { res.statusCode = 502; res.end(); });
  req.pipe(up);
}).listen(Number(process.env.PORT), '127.0.0.1');`);
    expect(r.verdict).toBe('wrong_answer');
  });
});
