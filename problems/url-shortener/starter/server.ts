// URL shortener over HTTP. See the statement for every route.
// Listen on 127.0.0.1 and the port in process.env.PORT. Express is available too:
//   import express from 'express';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function handle(req: IncomingMessage, res: ServerResponse): void {
  // TODO: POST /links, GET /links/:code and GET /:code, with the status codes and bodies of the statement.
  res.writeHead(501, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'not_implemented', message: `${req.method} ${req.url} is not implemented` } }));
}

createServer(handle).listen(Number(process.env.PORT), '127.0.0.1');
