/**
 * Builds the web page into web/dist/ (`npm run build:web`; `npm install` runs it too, and `npm start`
 * and `npm test` run it through web/scripts/ensure-built.sh when a source is newer than the build):
 *
 *   index.html                        public/index.html naming the assets below (the API serves it no-cache)
 *   assets/app-<hash>.js (+ .js.map)  src/page/main.ts bundled and minified for the browser
 *   assets/app-<hash>.css             public/app.css, minified
 *   inputs.txt                        every file the build read, one a line from the repository root;
 *                                     its modification time is when the build started
 *
 * Names carry a hash of their content, so the API serves assets as immutable: a new build has new
 * names. The build is written beside dist/ and swapped in, so a running API never sees half of one.
 */
import { readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const ROOT = resolve(WEB, '..');
export const DIST = join(WEB, 'dist');

export interface WebBuild {
  /** Paths under dist/, e.g. `assets/app-3F2K7QZA.js`. */
  js: string;
  css: string;
  bytes: { js: number; jsGzip: number; css: number };
}

export async function buildWebPage(outDir = DIST): Promise<WebBuild> {
  const started = new Date();
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const out = await build({
      absWorkingDir: WEB,
      entryPoints: [
        { in: 'src/page/main.ts', out: 'app' },
        { in: 'public/app.css', out: 'app' },
      ],
      outdir: join(tmp, 'assets'),
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome100', 'firefox100', 'safari15.4'],
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    const output = (entry: string) => {
      const found = Object.entries(out.metafile.outputs).find(([, o]) => o.entryPoint === entry);
      if (!found) throw new Error(`esbuild wrote no output for ${entry}`);
      return relative(tmp, resolve(WEB, found[0])).split('\\').join('/');
    };
    const js = output('src/page/main.ts');
    const css = output('public/app.css');

    let html = readFileSync(join(WEB, 'public/index.html'), 'utf8');
    for (const [from, to] of [
      ['src="/assets/app.js"', `src="/${js}"`],
      ['href="/assets/app.css"', `href="/${css}"`],
    ] as const) {
      // A template that no longer names an asset would build a page without it: refuse instead.
      if (html.split(from).length !== 2) throw new Error(`web/public/index.html must contain ${from} exactly once`);
      html = html.replace(from, to);
    }
    writeFileSync(join(tmp, 'index.html'), html);

    const inputs = [
      ...Object.keys(out.metafile.inputs).map((p) => resolve(WEB, p)),
      join(WEB, 'public/index.html'),
      fileURLToPath(import.meta.url),
      join(ROOT, 'package-lock.json'),
    ].map((p) => relative(ROOT, p));
    const stamp = join(tmp, 'inputs.txt');
    writeFileSync(stamp, [...new Set(inputs)].sort().join('\n') + '\n');
    // The start of the build, so a source saved while it ran still counts as newer.
    utimesSync(stamp, started, started);

    const old = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
    rmSync(old, { recursive: true, force: true });

    const jsBody = readFileSync(join(outDir, js));
    return { js, css, bytes: { js: jsBody.length, jsGzip: gzipSync(jsBody).length, css: statSync(join(outDir, css)).size } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const t0 = performance.now();
  const b = await buildWebPage();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.error(
    `build:web: web/dist/${b.js} ${kib(b.bytes.js)} (${kib(b.bytes.jsGzip)} gzipped), ` +
      `web/dist/${b.css} ${kib(b.bytes.css)}, in ${Math.round(performance.now() - t0)} ms`,
  );
}
