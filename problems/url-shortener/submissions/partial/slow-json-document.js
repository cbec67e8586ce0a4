// SLOW: correct, but the links are kept as one serialized JSON document (as if it were a
// db.json file) that every request parses, and every change serializes again. Each step is
// synchronous, so nothing races, but a redirect costs O(all links) instead of O(1): with a
// thousand links it takes milliseconds.
const http = require('node:http');

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
let document = JSON.stringify({ links: {} });

const load = () => JSON.parse(document);
const save = (db) => {
  document = JSON.stringify(db);
};

function randomCode(db) {
  for (;;) {
    let code = '';
    for (let i = 0; i < 7; i++) code += ALPHABET[Math.floor(Math.random() * 62)];
    if (!db.links[code]) return code;
  }
}

function validUrl(v) {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048 || !/^[\x21-\x7e]+$/.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
const oops = (res, status, code, message) => reply(res, status, { error: { code, message } });

http
  .createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      const parts = path.split('/').slice(1);
      const db = load();
      if (req.method === 'POST' && path === '/links') {
        let body;
        try {
          body = JSON.parse(raw);
        } catch {
          return oops(res, 422, 'validation_failed', 'malformed JSON');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) return oops(res, 422, 'validation_failed', 'expected an object');
        if (!validUrl(body.url)) return oops(res, 422, 'validation_failed', 'invalid url');
        if ('code' in body && (typeof body.code !== 'string' || !/^[0-9A-Za-z]{4,16}$/.test(body.code)))
          return oops(res, 422, 'validation_failed', 'invalid code');
        if ('code' in body && db.links[body.code]) return oops(res, 409, 'code_taken', 'code taken');
        const link = { code: 'code' in body ? body.code : randomCode(db), url: body.url, visits: 0 };
        db.links[link.code] = link;
        save(db);
        return reply(res, 201, link, { Location: `/links/${link.code}` });
      }
      if (req.method === 'GET' && parts.length === 2 && parts[0] === 'links') {
        const link = Object.hasOwn(db.links, parts[1]) ? db.links[parts[1]] : undefined;
        return link ? reply(res, 200, link) : oops(res, 404, 'not_found', 'unknown code');
      }
      if (req.method === 'GET' && parts.length === 1) {
        const link = Object.hasOwn(db.links, parts[0]) ? db.links[parts[0]] : undefined;
        if (!link) return oops(res, 404, 'not_found', 'unknown code');
        link.visits++;
        save(db);
        res.writeHead(302, { Location: link.url });
        return res.end();
      }
      oops(res, 404, 'not_found', 'no such route');
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
