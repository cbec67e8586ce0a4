import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, safeUrl } from './markdown';

/**
 * Every `<` in the output must open one of the tags the renderer emits, with no attributes but a
 * safe `href`/`rel` on links, a `class` on code and a number as a list's `start`: then nothing in it can run.
 */
function assertInert(html: string): void {
  const tags = [...html.matchAll(/<(\/?)([^\s>/]*)([^>]*)>/g)];
  const allowed = new Set([
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'strong',
    'em',
    'a',
    'blockquote',
    'hr',
    'br',
    's',
  ]);
  expect(html.split('<').length - 1, 'every < is one of our tags').toBe(tags.length);
  for (const [, , name, attrs] of tags) {
    expect(allowed.has(name!), `tag <${name}>`).toBe(true);
    for (const a of attrs!.matchAll(/\s*([^\s=]+)(?:="([^"]*)")?/g)) {
      if (!a[1]) continue;
      expect(['href', 'rel', 'class', 'start'], `attribute ${a[1]} on <${name}>`).toContain(a[1]);
      if (a[1] === 'href') expect(safeUrl(unescapeHtml(a[2]!))).toBeDefined();
      if (a[1] === 'class') expect(a[2]).toMatch(/^language-[\w+-]+$/);
      if (a[1] === 'start') expect(a[2]).toMatch(/^\d+$/);
    }
  }
  expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
  expect(html).not.toMatch(/\sstyle=/);
}

/** An attribute's value as the browser reads it. */
function unescapeHtml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(?:#(\d+)|#x([\da-f]+)|(\w+));/gi, (m, dec?: string, hex?: string, name?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : (named[name!.toLowerCase()] ?? m),
  );
}

describe('renderMarkdown: hostile input comes out inert', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '# <img src=x onerror="alert(1)">',
    '[click](javascript:alert(1))',
    '[click](javascript:alert`1`)',
    '[click](JaVaScRiPt:alert%281%29)',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox)',
    '[x](java\tscript:alert%281%29)',
    '[x](&#106;avascript:alert%281%29)',
    '[x](a"onmouseover="alert%281%29)',
    "[x](a'onmouseover='alert%281%29)",
    '`<script>alert(1)</script>`',
    '```html"><script>alert(1)</script>\n<b onclick=x>\n```',
    '| a | <b>b</b> |\n|---|---|\n| <iframe src=javascript:alert(1)> | `</td><script>` |',
    '- <svg onload=alert(1)>\n  - <a href="javascript:alert(1)">x</a>',
    '> <style>body{display:none}</style>',
    '**<u>bold</u>** *<i>em</i>* _"quoted"_',
    '<!-- comment --><![CDATA[x]]>',
    '\u0000<scr\u0000ipt>',
    '[x][1]\n\n[1]: javascript:alert(1)',
    '<javascript:alert(1)>',
    '[x](<javascript:alert(1)>)',
    '[x](https://example.com "<script>" onmouseover="alert(1)")',
    '![x](javascript:alert(1)) ![y](https://tracker.example/pixel.png)',
    '| a | b |\n|:--|--:|\n| 1 | 2 |',
    '3. three\n4. four',
  ];
  for (const input of hostile)
    it(JSON.stringify(input), () => {
      const html = renderMarkdown(input);
      assertInert(html);
      expect(html).not.toMatch(/<(script|img|svg|iframe|style|b|u|i|\/td><script)[\s>]/i);
    });

  it('shows raw HTML as text', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    expect(renderMarkdown(`<a href="x" title='y'>&</a>`)).toBe(`<p>&lt;a href=&quot;x&quot; title='y'&gt;&amp;&lt;/a&gt;</p>\n`);
  });

  it('keeps safe links and leaves unsafe ones as plain text', () => {
    expect(renderMarkdown('[docs](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a></p>\n',
    );
    expect(renderMarkdown('[home](/problems/lru-cache)')).toContain('href="/problems/lru-cache"');
    expect(renderMarkdown('[mail](mailto:hiring@example.com)')).toContain('href="mailto:hiring@example.com"');
    expect(renderMarkdown('[x](javascript:void%280%29)')).toBe('<p>[x](javascript:void%280%29)</p>\n');
  });
});

describe('renderMarkdown: what statements use', () => {
  it('renders headings, paragraphs, code, emphasis, lists and tables', () => {
    const md = [
      '# LRU cache',
      '',
      'A *least recently used* cache, **fast**; call `get(key)`.',
      'Same paragraph.',
      '',
      '```ts',
      'if (a < b && c > d) return;',
      '```',
      '',
      '- first `a|b`',
      '  continued',
      '  - nested',
      '- second',
      '',
      '1. one',
      '2. two',
      '',
      '| suite | weight |',
      '|---|---:|',
      '| correctness | 60 |',
      '| `a \\| b` | 1 |',
    ].join('\n');
    // markdown-it puts each block tag on its own line; table alignment is dropped (it would be an inline style).
    expect(renderMarkdown(md).replace(/>\n</g, '><')).toBe(
      [
        '<h1>LRU cache</h1><p>A <em>least recently used</em> cache, <strong>fast</strong>; call <code>get(key)</code>.\nSame paragraph.</p>',
        '<pre><code class="language-ts">if (a &lt; b &amp;&amp; c &gt; d) return;\n</code></pre>',
        '<ul><li>first <code>a|b</code>\ncontinued\n<ul><li>nested</li></ul></li><li>second</li></ul><ol><li>one</li><li>two</li></ol>',
        '<table><thead><tr><th>suite</th><th>weight</th></tr></thead>',
        '<tbody><tr><td>correctness</td><td>60</td></tr><tr><td><code>a | b</code></td><td>1</td></tr></tbody></table>\n',
      ].join(''),
    );
  });

  it('renders every problem statement in the repository inertly', () => {
    const root = join(import.meta.dirname, '../../problems');
    const statements = readdirSync(root)
      .map((d) => join(root, d, 'statement.md'))
      .filter((p) => existsSync(p));
    expect(statements.length).toBeGreaterThan(0);
    for (const p of statements) {
      const html = renderMarkdown(readFileSync(p, 'utf8'));
      assertInert(html);
      expect(html, p).toMatch(/^<h1>/);
      expect(html, `${p}: no markdown markers left over`).not.toMatch(/^\s*(#|```|\|---)/m);
    }
  });
});
