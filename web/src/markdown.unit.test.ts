import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown, safeUrl } from './markdown';

/**
 * Every `<` in the output must open one of the tags the renderer emits, with no attributes but a
 * safe `href`/`rel` on links and a `class` on code: then nothing in it can run.
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
  ]);
  expect(html.split('<').length - 1, 'every < is one of our tags').toBe(tags.length);
  for (const [, , name, attrs] of tags) {
    expect(allowed.has(name!), `tag <${name}>`).toBe(true);
    for (const a of attrs!.matchAll(/\s*([^\s=]+)(?:="([^"]*)")?/g)) {
      if (!a[1]) continue;
      expect(['href', 'rel', 'class'], `attribute ${a[1]} on <${name}>`).toContain(a[1]);
      if (a[1] === 'href') expect(safeUrl(a[2]!.replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d))))).toBeDefined();
      if (a[1] === 'class') expect(a[2]).toMatch(/^language-[\w+-]+$/);
    }
  }
  expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
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
  ];
  for (const input of hostile)
    it(JSON.stringify(input), () => {
      const html = renderMarkdown(input);
      assertInert(html);
      expect(html).not.toMatch(/<(script|img|svg|iframe|style|b|u|i|\/td><script)[\s>]/i);
    });

  it('shows raw HTML as text', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&#60;script&#62;alert(1)&#60;/script&#62;</p>');
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('keeps safe links and drops unsafe ones to their text', () => {
    expect(renderMarkdown('[docs](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&#38;c=2" rel="noopener noreferrer">docs</a></p>',
    );
    expect(renderMarkdown('[home](/problems/lru-cache)')).toContain('href="/problems/lru-cache"');
    expect(renderMarkdown('[x](javascript:void%280%29)')).toBe('<p>x</p>');
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
    expect(renderMarkdown(md)).toBe(
      [
        '<h1>LRU cache</h1>',
        '<p>A <em>least recently used</em> cache, <strong>fast</strong>; call <code>get(key)</code>.\nSame paragraph.</p>',
        '<pre><code class="language-ts">if (a &#60; b &#38;&#38; c &#62; d) return;</code></pre>',
        '<ul><li>first <code>a|b</code>\ncontinued<ul><li>nested</li></ul></li><li>second</li></ul>',
        '<ol><li>one</li><li>two</li></ol>',
        '<table><thead><tr><th>suite</th><th>weight</th></tr></thead><tbody><tr><td>correctness</td><td>60</td></tr><tr><td><code>a | b</code></td><td>1</td></tr></tbody></table>',
      ].join('\n'),
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
