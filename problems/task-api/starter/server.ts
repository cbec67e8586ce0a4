// Task API: projects and tasks over HTTP. See the statement for every route.
// Listen on 127.0.0.1 and the port in process.env.PORT. Express is available too:
//   import express from 'express';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function handle(req: IncomingMessage, res: ServerResponse): void {
  // TODO: route the request (POST /projects, GET /projects/:id, POST and GET /projects/:id/tasks,
  // GET, PATCH and DELETE /tasks/:id) and answer with the status codes and bodies of the statement.
  res.writeHead(501, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'not_implemented', message: `${req.method} ${req.url} is not implemented`, details: [] } }));
}

createServer(handle).listen(Number(process.env.PORT), '127.0.0.1');
