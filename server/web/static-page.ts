/**
 * The web page as `next build` exports it (next.config's `output: 'export'`:
 * HTML, JavaScript and CSS in `out/`), served by vethlab's own HTTP server.
 * The page is a browser-only app, so nothing in it needs a server to render:
 * `vethlab serve` carries no Next.js server runtime, which cost about 0.3 s
 * of CPU at every start and 50 ms or more of the event loop at every page
 * load, the loop that also answers every lab's edits while a class joins.
 *
 * Every file is read into memory at start (about 2 MB), so a request is a
 * lookup in that map: a path that is not exactly one of the exported files
 * (`..`, an encoded slash, a symlink) finds nothing, and a rebuild while the
 * server runs cannot mix two builds in one page. Text is gzipped once, on
 * first request, for a class on Wi-Fi.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** What a request for a page path gets: the lab's page (`/`, `/lab/NAME`) or the teacher's (`/labs`). */
export type PageRoute = 'lab' | 'labs' | 'file';

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  gzipped?: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};
/** Files whose names change with their content: a browser keeps them. */
const IMMUTABLE_PREFIX = '/_next/static/';
/** Smaller answers are sent as they are: gzip would save less than its header costs. */
const GZIP_MIN_BYTES = 1024;

export interface StaticPage {
  /** Answers a GET or HEAD that has passed the gate. */
  handle(req: IncomingMessage, res: ServerResponse, route: PageRoute): void;
}

/** Reads the exported page from `dir`; throws, saying what to run, when there is none. */
export function loadStaticPage(dir: string): StaticPage {
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`the web page is not built (no ${path.join(dir, 'index.html')}): run "npm run build" once first`);
  }
  const files = new Map<string, StaticFile>();
  for (const rel of listFiles(dir, '')) {
    const body = readFileSync(path.join(dir, rel));
    files.set(`/${rel}`, { body, type: TYPES[path.extname(rel)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
  }
  const lab = files.get('/index.html')!;
  const labs = files.get('/labs.html');
  const notFound = files.get('/404.html');
  return {
    handle(req, res, route) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${req.method} is not served here\n`);
        return;
      }
      const url = new URL(req.url ?? '/', 'http://vethlab.invalid');
      const pathname = url.pathname;
      // `/labs/` is `/labs`, as Next's own server had it. One leading slash: `//host` would be another site.
      if (route === 'file' && pathname.length > 1 && pathname.endsWith('/')) {
        res.writeHead(308, { Location: `/${pathname.replace(/^\/+|\/+$/g, '')}${url.search}`, 'Cache-Control': 'no-store', 'Content-Length': 0 });
        res.end();
        return;
      }
      const file = route === 'lab' ? lab : route === 'labs' ? labs : files.get(pathname);
      if (!file) return send(req, res, 404, notFound ?? { body: Buffer.from('not found\n'), type: 'text/plain; charset=utf-8', etag: '' }, 'no-store');
      send(req, res, 200, file, pathname.startsWith(IMMUTABLE_PREFIX) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  };
}

/** Regular files under `dir`, as paths relative to it with `/`; symlinks are left out. */
function listFiles(dir: string, rel: string): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const child = rel ? `${rel}/${e.name}` : e.name;
    // A Dirent of a symlink is neither a file nor a directory.
    if (e.isDirectory()) return listFiles(dir, child);
    return e.isFile() ? [child] : [];
  });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, file: StaticFile, cache: string): void {
  const headers: Record<string, string | number> = { 'Content-Type': file.type, 'Cache-Control': cache };
  if (file.etag) headers.ETag = file.etag;
  if (status === 200 && file.etag && req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let body = file.body;
  if (compressible(file) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    file.gzipped ??= gzipSync(file.body);
    body = file.gzipped;
    headers['Content-Encoding'] = 'gzip';
  }
  if (compressible(file)) headers.Vary = 'Accept-Encoding';
  headers['Content-Length'] = body.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function compressible(file: StaticFile): boolean {
  return file.body.length >= GZIP_MIN_BYTES && /^(text\/|application\/json|image\/svg)/.test(file.type);
}
