/**
 * The link to a reference server for real (run as root, like the driver): a child process of the
 * reference's uid that serves only the connections handed to it over IPC answers through the
 * link's HTTP client, and the kernel's socket table shows nothing else reaching it; a reference
 * that also listens on a TCP port of its own is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_CONNECTION, UIDS } from '../wire/payload';
import { ReferenceExposedError, ReferenceLink } from './ReferenceLink';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(req.method + ' ' + req.url + ' as ' + process.getuid()));
process.on('message', (m, socket) => { if (m === ${JSON.stringify(REFERENCE_CONNECTION)} && socket) server.emit('connection', socket); });
if (process.env.ALSO_LISTEN) server.listen(0, '127.0.0.1', () => process.send('ready'));
else process.send('ready');`;

const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function reference(env: Record<string, string> = {}): Promise<ReferenceLink> {
  const child = spawn(process.execPath, ['-e', SERVER], {
    uid: UIDS.reference,
    gid: UIDS.reference,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise((resolve) => child.once('message', resolve));
  return new ReferenceLink(
    (socket) => new Promise<void>((resolve, reject) => child.send(REFERENCE_CONNECTION, socket, (e) => (e ? reject(e) : resolve()))),
  );
}

describe('ReferenceLink (as root, like the driver)', () => {
  it('reaches a server that listens on nothing, over connections only the driver made', async () => {
    const link = await reference();
    const http = await link.client(3000, 2000);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => http.request({ method: 'GET', path: `/n/${i}` })));
      expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 20 }, (_, i) => `GET /n/${i} as ${UIDS.reference}`));
      expect(() => link.verify()).not.toThrow();
    } finally {
      http.close();
    }
  });

  it('refuses a reference that has a TCP socket of its own', async () => {
    const link = await reference({ ALSO_LISTEN: '1' });
    await expect(link.client(3000, 2000)).rejects.toThrow(/TCP socket of its own/);
    expect(() => link.verify()).toThrow(ReferenceExposedError);
  });
});
