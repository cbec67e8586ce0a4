/**
 * Requests Node's own HTTP parser refuses never reach Express: without this, Node answers them
 * with a bare status line. These answer with the same statuses as problem+json, written straight
 * to the socket (there is no response object yet), then close the connection.
 */
import { maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_TYPES, problemDetails, type ErrorType } from './errors';

function describe(err: NodeJS.ErrnoException & { reason?: string }): [ErrorType, string] {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        'headers-too-large',
        `the request line and headers are larger than the server accepts (${maxHeaderSize} bytes); send fewer or shorter headers`,
      ];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['request-timeout', 'the request was not received in time; send it again'];
    default:
      return ['bad-request', `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'}: ${err.reason ?? err.message})`];
  }
}

function rawProblem(type: ErrorType, detail: string): string {
  const body = JSON.stringify(problemDetails(type, detail));
  const { status, title } = ERROR_TYPES[type];
  return (
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

export function answerParserErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this socket cannot take another status line.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
    const [type, detail] = describe(err);
    socket.end(rawProblem(type, detail));
  });
  // Any Expect other than 100-continue: Node would answer a bare 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify(
      problemDetails(
        'expectation-failed',
        `Expect: ${String(req.headers.expect)} is not supported; send the request without it (or with Expect: 100-continue)`,
        { instance: req.url },
      ),
    );
    res.writeHead(417, { 'Content-Type': 'application/problem+json', Connection: 'close' }).end(body);
  });
}
