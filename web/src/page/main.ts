/// <reference lib="dom" />
/** The page's entry point: the API key field and a tiny client-side router over the page routes. */
import { apiKey } from '../api';
import { dashboard } from './Dashboard';
import { h, replace } from './dom';
import { problemList } from './ProblemList';
import { problemPage } from './ProblemPage';
import { submissionPage } from './SubmissionPage';

const root = document.getElementById('app')!;
let current: AbortController | undefined;

async function render(): Promise<void> {
  current?.abort();
  const ctl = (current = new AbortController());
  const path = location.pathname.replace(/\/+$/, '') || '/';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a'))
    a.classList.toggle(
      'active',
      a.getAttribute('href') === '/' ? path === '/' || path.startsWith('/problems/') : path.startsWith(a.getAttribute('href')!),
    );
  let m: RegExpExecArray | null;
  if (path === '/') return problemList(root);
  if ((m = /^\/problems\/([^/]+)$/.exec(path))) return problemPage(root, decodeURIComponent(m[1]!), ctl.signal);
  if (path === '/dashboard') return dashboard(root, ctl.signal);
  if ((m = /^\/submissions\/([^/]+)$/.exec(path))) return submissionPage(root, decodeURIComponent(m[1]!), ctl.signal);
  replace(
    root,
    h('h1', null, 'Not found'),
    h('p', null, 'No page here. ', h('a', { href: '/', 'data-route': true }, 'See the problems'), '.'),
  );
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  window.scrollTo(0, 0);
  void render();
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element | null)?.closest?.('a[data-route]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
});
window.addEventListener('popstate', () => void render());

const keyInput = document.getElementById('api-key') as HTMLInputElement | null;
if (keyInput) {
  keyInput.value = apiKey.get();
  keyInput.addEventListener('change', () => {
    apiKey.set(keyInput.value.trim());
    if (location.pathname.startsWith('/dashboard')) void render();
  });
}

void render();
