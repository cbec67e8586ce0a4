import { Router } from 'express';
import { CONFIG_VARIABLES } from '@assay/platform';
import { ERROR_TYPES } from '../errors';
import { openApiDocument } from '../openapi';
import { answerOtherMethods } from '../routing';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Op {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}' +
  'code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.75rem;overflow:auto}\n' +
  'section{border-top:1px solid #ddd;padding:.5rem 0}' +
  '.m{display:inline-block;min-width:4.5rem;color:#fff;background:#365;padding:0 .4rem;border-radius:3px;font-size:13px}' +
  'h3 small{color:#777;font-weight:normal}';
const MACHINE_READABLE =
  '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). ' +
  'Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>.</p>';
const ERRORS =
  '<p>Every error is <code>application/problem+json</code> with <code>type</code>, <code>title</code>, <code>status</code>, ' +
  '<code>detail</code> (what was wrong and what to do) and, for validation, <code>errors: [{path, message}]</code>.</p>';
const WEBHOOKS =
  '<p>Signed per Standard Webhooks: headers <code>webhook-id</code>, <code>webhook-timestamp</code>, ' +
  '<code>webhook-signature: v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;</code> ' +
  'keyed with the base64 part of the <code>whsec_</code> secret. ' +
  'Retries back off exponentially with jitter; the <code>webhook-id</code> stays the same across attempts and replays. ' +
  'After a secret rotation both secrets sign during the grace period (two space-separated signatures), so either verifies. ' +
  'An endpoint failing for <code>WEBHOOK_DISABLE_AFTER_S</code> (5 days) is disabled automatically (see its history).</p>';
const EVENTS =
  '<p><code>GET /v1/submissions/{id}/events</code> sends <code>status</code> and <code>progress</code> events, then ' +
  '<code>result</code>, and ends: close the stream on <code>result</code>. Every event has an <code>id</code>; a client ' +
  'reconnecting with <code>Last-Event-ID</code> gets only what it has not seen, and one that has seen the result of a finished ' +
  'submission is answered <code>204 No Content</code>, which makes a browser <code>EventSource</code> stop reconnecting.</p>';

/** A readable page rendered on the server from the OpenAPI document (no external scripts: works offline). */
function renderDocs(): string {
  const doc = openApiDocument() as {
    info: { title: string; description: string };
    paths: Record<string, Record<string, Op>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`)
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(Object.values(op.requestBody.content)[0]?.schema, null, 2))}</pre></details>`
        : '';
      const responses = Object.entries(op.responses)
        .map(
          ([code, r]) =>
            `<li><code>${code}</code> ${esc(r.description)}${r.content ? ` <small>(${Object.keys(r.content).join(', ')})</small>` : ''}</li>`,
        )
        .join('');
      const auth = op.security?.length
        ? op.security.some((s) => Object.keys(s as object).length === 0)
          ? 'API key optional'
          : 'API key required'
        : 'public';
      const description = op.description ? `<p>${esc(op.description)}</p>` : '';
      const parameters = params ? `<p>Parameters:</p><ul>${params}</ul>` : '';
      return `<section id="${method}-${esc(path)}"><h3><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code> <small>${auth}</small></h3>
<p>${esc(op.summary ?? '')}</p>${description}${parameters}${body}<p>Responses:</p><ul>${responses}</ul></section>`;
    }),
  );
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<details id="schema-${name}"><summary><code>${name}</code></summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`,
    )
    .join('');
  const errs = Object.entries(ERROR_TYPES)
    .map(([slug, e]) => `<li id="error-${slug}"><code>/docs#error-${slug}</code> — ${e.status} ${esc(e.title)}</li>`)
    .join('');
  const variables = CONFIG_VARIABLES.map((v) => `<code>${v}</code>`).join(', ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>${STYLE}</style></head>
<body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>${MACHINE_READABLE}
<h2>Endpoints</h2>${ops.join('')}<h2 id="errors">Errors</h2>${ERRORS}<ul>${errs}</ul>
<h2 id="events">Event streams</h2>${EVENTS}
<h2>Webhooks</h2>${WEBHOOKS}
<h2>Schemas</h2>${schemas}<h2>Server configuration</h2><p>Environment variables: ${variables}.</p></body></html>`;
}

export function docsRouter(): Router {
  const r = Router();
  let html: string | undefined;
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  r.get('/docs', (_req, res) => {
    res.type('html').send((html ??= renderDocs()));
  });
  return answerOtherMethods(r);
}
