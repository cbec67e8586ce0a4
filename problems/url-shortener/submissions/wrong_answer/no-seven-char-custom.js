// WRONG: refuses custom codes of exactly 7 characters (to keep them apart from generated codes),
// but the statement allows any length from 4 to 16.
import express from 'express';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SPACE = 62n ** 7n;
const MULTIPLIER = 2654435761n; // odd and not a multiple of 31: coprime to 62^7
let counter = 1000n;

function nextCode(taken) {
  for (;;) {
    let n = (counter++ * MULTIPLIER) % SPACE;
    let code = '';
    for (let i = 0; i < 7; i++) {
      code = ALPHABET[Number(n % 62n)] + code;
      n /= 62n;
    }
    if (!taken.has(code)) return code;
  }
}

function isHttpUrl(s) {
  if (typeof s !== 'string' || s.length < 1 || s.length > 2048) return false;
  if (/[^\x21-\x7e]/.test(s)) return false;
  let u;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  return ['http:', 'https:'].includes(u.protocol) && u.hostname !== '';
}

const links = new Map();
const app = express();

const problem = (res, status, code, message) => res.status(status).json({ error: { code, message } });

app.post('/links', express.json({ strict: false, type: () => true }), (req, res) => {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return problem(res, 422, 'validation_failed', 'expected a JSON object');
  if (!isHttpUrl(body.url)) return problem(res, 422, 'validation_failed', 'url must be an http(s) URL');
  if (body.code !== undefined && (typeof body.code !== 'string' || !/^[0-9A-Za-z]{4,16}$/.test(body.code) || body.code.length === 7))
    return problem(res, 422, 'validation_failed', 'code must be 4-16 base62 characters');
  if (body.code !== undefined && links.has(body.code)) return problem(res, 409, 'code_taken', 'code already in use');
  const link = { code: body.code ?? nextCode(links), url: body.url, visits: 0 };
  links.set(link.code, link);
  res.status(201).location(`/links/${link.code}`).json(link);
});

app.get('/links/:code', (req, res) => {
  const link = links.get(req.params.code);
  if (!link) return problem(res, 404, 'not_found', 'unknown code');
  res.json(link);
});

app.get('/:code', (req, res) => {
  const link = links.get(req.params.code);
  if (!link) return problem(res, 404, 'not_found', 'unknown code');
  link.visits += 1;
  // res.redirect() would URL-encode the target; set the header as is.
  res.status(302).set('Location', link.url).end();
});

app.use((req, res) => problem(res, 404, 'not_found', 'no such route'));

// Malformed JSON and other body errors.

app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') return problem(res, 422, 'validation_failed', 'malformed JSON');
  console.error(err);
  problem(res, 500, 'internal', 'internal error');
});

app.listen(Number(process.env.PORT), '127.0.0.1');
