/**
 * A small Markdown renderer for problem statements: headings, paragraphs, fenced code, inline
 * code, emphasis, links, block quotes, rules, (nested) lists and pipe tables.
 *
 * Safety: every character of the input reaches the output escaped (`& < > " '`); the only tags in
 * the output are the ones emitted here, with no attributes but a link's `href` (http, https,
 * mailto or a relative URL; anything else renders as plain text) and `rel`. Raw HTML in the input
 * is shown as text, never interpreted.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** http(s), mailto, or relative (no scheme at all); control characters and whitespace are refused outright. */
export function safeUrl(url: string): string | undefined {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return undefined;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase())) return undefined;
  // "//host" is a scheme-relative link to another host: allow, it is still http(s).
  return url;
}

const CODE_SPAN = /(`+)([\s\S]*?[^`])\1(?!`)/g;

/** Inline markup of one block's text. */
export function renderInline(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CODE_SPAN)) {
    out += renderSpan(text.slice(last, m.index));
    out += `<code>${escapeHtml(m[2]!.replace(/^ (.*) $/s, '$1'))}</code>`;
    last = m.index + m[0].length;
  }
  return out + renderSpan(text.slice(last));
}

/** Text without code spans: escape first, then add emphasis and links (their markers survive escaping). */
function renderSpan(raw: string): string {
  let s = escapeHtml(raw);
  s = s.replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (whole, label: string, href: string) => {
    // `href` is already escaped; check the URL as the browser will read it once unescaped.
    const url = safeUrl(unescapeHtml(href));
    return url === undefined ? label : `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${label}</a>`;
  });
  s = s.replace(/\*\*(?=\S)([^*]+?)(?<=\S)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/__(?=\S)([^_]+?)(?<=\S)__/g, '<strong>$1</strong>');
  s = s.replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])?\*(?![\w*])/g, (_w, pre: string, body: string | undefined) =>
    body === undefined ? _w : `${pre}<em>${body}</em>`,
  );
  s = s.replace(/(^|[^\w_])_(?=[^\s_])([^_]*?[^\s_])?_(?![\w_])/g, (_w, pre: string, body: string | undefined) =>
    body === undefined ? _w : `${pre}<em>${body}</em>`,
  );
  return s.replace(/\\([\\`*_[\]()#|-])/g, '$1');
}

function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function renderMarkdown(md: string): string {
  const lines = md
    .replace(/\r\n?/g, '\n')
    .replace(/\u0000/g, '\ufffd')
    .split('\n');
  return renderBlocks(lines);
}

function renderBlocks(lines: string[]): string {
  const out: string[] = [];
  let i = 0;
  const blank = (l: string | undefined) => l === undefined || l.trim() === '';
  const startsBlock = (l: string, next: string | undefined) =>
    FENCE.test(l) ||
    HEADING.test(l) ||
    RULE.test(l) ||
    ITEM.test(l) ||
    QUOTE.test(l) ||
    (l.includes('|') && next !== undefined && TABLE_SEP.test(next));

  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const n = heading[1]!.length;
      out.push(`<h${n}>${renderInline(heading[2]!)}</h${n}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!)) {
      const head = splitRow(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && !blank(lines[i]) && lines[i]!.includes('|')) rows.push(splitRow(lines[i++]!));
      const cells = (r: string[], tag: 'th' | 'td') => head.map((_h, k) => `<${tag}>${renderInline(r[k] ?? '')}</${tag}>`).join('');
      out.push(
        `<table><thead><tr>${cells(head, 'th')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table>`,
      );
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !blank(lines[i])) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push(`<blockquote>${renderBlocks(body)}</blockquote>`);
      continue;
    }
    if (ITEM.test(line)) {
      const [html, next] = renderList(lines, i);
      out.push(html);
      i = next;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !blank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]!, lines[i + 1])))
      para.push(lines[i++]!.trim());
    out.push(`<p>${renderInline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}

/** A list starting at `start`; items hold their continuation lines and any more-indented sub-list. */
function renderList(lines: string[], start: number): [string, number] {
  const first = ITEM.exec(lines[start]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const items: string[][] = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i]!;
    const m = ITEM.exec(line);
    if (m && m[1]!.length === indent && /\d/.test(m[2]!) === ordered) {
      items.push([m[3]!]);
      i++;
      continue;
    }
    if (line.trim() === '') {
      // A blank line continues the list only when the next line is still part of it.
      const next = lines[i + 1];
      const nm = next === undefined ? null : ITEM.exec(next);
      if (
        next !== undefined &&
        ((nm && nm[1]!.length >= indent) || /^\s/.test(next)) &&
        (!nm || nm[1]!.length > indent || /\d/.test(nm[2]!) === ordered) &&
        next.trim() !== ''
      ) {
        items.at(-1)!.push('');
        i++;
        continue;
      }
      break;
    }
    const lead = line.length - line.trimStart().length;
    if (lead > indent || (!m && !/^ {0,3}([#>]|```|~~~)/.test(line))) {
      items.at(-1)!.push(line);
      i++;
      continue;
    }
    break;
  }
  const body = items.map((item) => {
    const [text, ...rest] = item;
    const sub = rest.findIndex((l) => ITEM.test(l) || FENCE.test(l.trimStart()));
    const textLines = [text!, ...(sub < 0 ? rest : rest.slice(0, sub))].map((l) => l.trim()).filter((l) => l !== '');
    const nested = sub < 0 ? '' : renderBlocks(dedent(rest.slice(sub)));
    return `<li>${renderInline(textLines.join('\n'))}${nested}</li>`;
  });
  const tag = ordered ? 'ol' : 'ul';
  return [`<${tag}>${body.join('')}</${tag}>`, i];
}

function dedent(lines: string[]): string[] {
  const n = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(Number.isFinite(n) ? n : 0));
}

/** Cells of a pipe-table row; `\|` and pipes inside code spans stay in the cell. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let ticks = 0;
  const s = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && s[k + 1] === '|') {
      cur += '|';
      k++;
    } else if (c === '`') {
      ticks = ticks ? 0 : 1;
      cur += c;
    } else if (c === '|' && !ticks) {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}
