import { ApiError } from '../api';
import { h } from './dom';

/** An API error (problem+json) with its `detail` and per-field `errors`, or any other error's message. */
export function errorView(e: unknown): HTMLElement {
  if (e instanceof ApiError) {
    const p = e.problem;
    return h(
      'div',
      { class: 'error', role: 'alert' },
      h('strong', null, p.status ? `${p.status} ${p.title}` : p.title),
      h('p', null, p.detail),
      p.errors?.length
        ? h(
            'ul',
            { class: 'field-errors' },
            p.errors.map((f) => h('li', null, h('code', null, f.path), ' ', f.message)),
          )
        : null,
    );
  }
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', null, 'Something went wrong'),
    h('p', null, e instanceof Error ? e.message : String(e)),
  );
}
