/** A plain code editor: a monospace <textarea> where Tab indents (selection too), Shift+Tab outdents and Enter keeps the indent. */
import { h } from './dom';

const INDENT = '  ';

export function codeEditor(opts: { onChange(): void; onSubmit(): void }): HTMLTextAreaElement {
  const ta = h('textarea', {
    class: 'editor',
    spellcheck: 'false',
    autocapitalize: 'off',
    autocomplete: 'off',
    wrap: 'off',
    'aria-label': 'your solution',
  });
  ta.addEventListener('input', () => opts.onChange());
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      opts.onSubmit();
      return;
    }
    if (e.key === 'Escape') {
      ta.blur(); // Tab is taken by the editor: Escape then Tab leaves it
      return;
    }
    const { selectionStart: start, selectionEnd: end, value } = ta;
    if (e.key === 'Tab') {
      e.preventDefault();
      const lineStart = value.lastIndexOf('\n', start - 1) + 1;
      if (start === end && !e.shiftKey) return edit(ta, start, end, INDENT);
      // Indent or outdent every line the selection touches.
      const block = value.slice(lineStart, end);
      const lines = block.split('\n');
      const changed = e.shiftKey ? lines.map((l) => l.replace(/^( {1,2}|\t)/, '')) : lines.map((l) => INDENT + l);
      const text = changed.join('\n');
      edit(ta, lineStart, end, text);
      const firstDelta = changed[0]!.length - lines[0]!.length;
      const caret = Math.max(lineStart, start + firstDelta);
      ta.setSelectionRange(caret, start === end ? caret : lineStart + text.length);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      const lineStart = value.lastIndexOf('\n', start - 1) + 1;
      const indent = /^[ \t]*/.exec(value.slice(lineStart, start))![0];
      const extra = /[{[(]\s*$/.test(value.slice(lineStart, start)) ? INDENT : '';
      edit(ta, start, end, `\n${indent}${extra}`);
    }
  });
  return ta;
}

/** Replaces [start, end) with text, keeping the browser's undo history where it can. */
function edit(ta: HTMLTextAreaElement, start: number, end: number, text: string): void {
  ta.focus();
  ta.setSelectionRange(start, end);
  // execCommand keeps Ctrl+Z working; it is deprecated but still the only way to do that.
  const ok = typeof document.execCommand === 'function' && document.execCommand('insertText', false, text);
  if (!ok) {
    ta.setRangeText(text, start, end, 'end');
    ta.dispatchEvent(new Event('input'));
  }
}
