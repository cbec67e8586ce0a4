import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('parses events split anywhere, with ids, comments and multi-line data', () => {
    const text =
      ': keep-alive\n\nid: 1\nevent: progress\ndata: {"stage":"compiling"}\n\nid: 2\r\nevent: result\r\ndata: a\r\ndata: b\r\n\r\ndata: plain\n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const p = new SseParser();
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
      expect(got, `chunks of ${size}`).toEqual([
        { event: 'progress', data: '{"stage":"compiling"}', id: '1' },
        { event: 'result', data: 'a\nb', id: '2' },
        { event: 'message', data: 'plain' },
      ]);
      expect(p.lastEventId).toBe('2');
    }
  });
});
