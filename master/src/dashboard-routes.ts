// The web dashboard's routes on the master's HTTP port: the static page in master/dashboard/, which reads /status.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpReply, HttpRoute } from '@mooseng/core';

/**
 * Where the page's files live, from both src/ (tests of sources) and dist/ (compiled code): they are shipped as
 * source (master/package.json `files`), since tsc does not copy them.
 */
export const DASHBOARD_DIR = join(__dirname, '..', 'dashboard');

const PAGE_FILES = {
  html: { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  js: { file: 'dashboard.js', contentType: 'text/javascript; charset=utf-8' },
  css: { file: 'dashboard.css', contentType: 'text/css; charset=utf-8' },
} as const;

/** GET / and /dashboard (the page), /dashboard/dashboard.js and /dashboard/dashboard.css. */
export function dashboardRoutes(): HttpRoute[] {
  // Read on first request, then served from memory: the files are small and change only with the installed version.
  const loaded = new Map<string, Promise<string>>();
  const serve = (page: (typeof PAGE_FILES)[keyof typeof PAGE_FILES]) => async (): Promise<HttpReply> => {
    let text = loaded.get(page.file);
    if (!text) {
      text = readFile(join(DASHBOARD_DIR, page.file), 'utf8');
      loaded.set(page.file, text);
      // A failed read is not remembered, so a file restored on disk is served without a restart.
      void text.catch(() => loaded.delete(page.file));
    }
    try {
      return { text: await text, contentType: page.contentType };
    } catch (err) {
      return {
        status: 500,
        text: `the dashboard's ${page.file} cannot be read from ${DASHBOARD_DIR} (${(err as Error).message}); reinstall @mooseng/master\n`,
      };
    }
  };
  return [
    { method: 'GET', path: '/', handler: serve(PAGE_FILES.html) },
    { method: 'GET', path: '/dashboard', handler: serve(PAGE_FILES.html) },
    { method: 'GET', path: '/dashboard/dashboard.js', handler: serve(PAGE_FILES.js) },
    { method: 'GET', path: '/dashboard/dashboard.css', handler: serve(PAGE_FILES.css) },
  ];
}
