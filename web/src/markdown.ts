/**
 * Problem statements to HTML with markdown-it (CommonMark and GitHub's tables), set up for input we
 * do not trust:
 *
 * - raw HTML is off: `<script>` in a statement is shown as text;
 * - links only to http, https, mailto or relative URLs; any other link stays plain text;
 * - no images (the page loads nothing from elsewhere);
 * - no attributes but a link's `href` (and the `rel` added here), a code block's `language-…` class
 *   (a plain language name, whatever the fence says) and an ordered list's `start`: table
 *   alignment would be an inline `style`, which the page's CSP refuses.
 */
import MarkdownIt, { type Token } from 'markdown-it';

/** http(s), mailto, or relative (no scheme at all); control characters and whitespace are refused outright. */
export function safeUrl(url: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return undefined;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase())) return undefined;
  // "//host" is a scheme-relative link to another host: allow, it is still http(s).
  return url;
}

const ATTRIBUTES: Record<string, readonly string[]> = { a: ['href'], ol: ['start'] };

const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
md.disable('image');
// Called with the URL as it will stand in `href` (entities decoded, then percent-encoded).
md.validateLink = (url) => safeUrl(url) !== undefined;
md.core.ruler.push('assay_attributes', (state) => {
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.attrs) t.attrs = t.attrs.filter(([name]) => ATTRIBUTES[t.tag]?.includes(name));
      if (t.type === 'link_open') t.attrSet('rel', 'noopener noreferrer');
      // The fence renderer turns the info string's first word into a class.
      if (t.type === 'fence') t.info = /^[\w+-]*/.exec(t.info.trim())![0];
      if (t.children) visit(t.children);
    }
  };
  visit(state.tokens);
});

export function renderMarkdown(source: string): string {
  return md.render(source);
}
