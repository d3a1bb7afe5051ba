/**
 * The exported page as vethlab's server hands it out: the lab's and the
 * teacher's page, the exported files with their types and caching, and
 * nothing else: not a file beside the export, not through `..`, an encoded
 * slash or a symlink. A real HTTP server on loopback; no root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { loadStaticPage, type PageRoute } from '../../server/web/static-page';

const root = mkdtempSync(path.join(tmpdir(), 'vl-static-'));
const out = path.join(root, 'out');
const BIG_JS = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
let server: Server;
let port = 0;

before(async () => {
  mkdirSync(path.join(out, '_next/static/chunks'), { recursive: true });
  mkdirSync(path.join(out, 'lessons'));
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><title>lab page</title>');
  writeFileSync(path.join(out, 'labs.html'), '<!doctype html><title>teacher page</title>');
  writeFileSync(path.join(out, '404.html'), '<!doctype html><title>not here</title>');
  writeFileSync(path.join(out, '_next/static/chunks/app.js'), BIG_JS);
  writeFileSync(path.join(out, 'lessons/two.md'), '# Two namespaces\n');
  writeFileSync(path.join(out, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  // Decoys: a secret beside the export, and a link to it inside.
  writeFileSync(path.join(root, 'secret.txt'), 'SECRET');
  symlinkSync(path.join(root, 'secret.txt'), path.join(out, 'link.txt'));
  symlinkSync(root, path.join(out, 'up'));
  const page = loadStaticPage(out);
  // The route as serve.ts gives it, after the gate: /labs the teacher's page, / and /lab/NAME the lab's.
  server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const route: PageRoute = pathname === '/labs' ? 'labs' : pathname === '/' || /^\/lab\/[^/]+$/.test(pathname) ? 'lab' : 'file';
    page.handle(req, res, route);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function get(pathname: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the lab page for / and every /lab/NAME, the teacher page for /labs', async () => {
  for (const p of ['/', '/lab/c30-s01', '/lab/other?x=1']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.match(r.body.toString(), /lab page/, p);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache', 'a rebuilt page is fetched again');
  }
  assert.match((await get('/labs')).body.toString(), /teacher page/);
});

test('exported files with their types; the hashed ones kept by the browser', async () => {
  const js = await get('/_next/static/chunks/app.js');
  assert.equal(js.status, 200);
  assert.equal(js.body.toString(), BIG_JS);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  const md = await get('/lessons/two.md');
  assert.equal(md.headers['content-type'], 'text/markdown; charset=utf-8');
  assert.equal(md.headers['cache-control'], 'no-cache');
  const icon = await get('/icon.svg?icon.123.svg');
  assert.equal(icon.status, 200, 'the query is not part of the name');
  assert.equal(icon.headers['content-type'], 'image/svg+xml');
});

test('nothing outside the export: .., encoded dots and slashes, symlinks, unknown names', async () => {
  for (const p of ['/../secret.txt', '/_next/static/../../secret.txt', '/%2e%2e/secret.txt', '/_next%2fstatic%2fchunks%2fapp.js', '/link.txt', '/up/secret.txt', '/secret.txt', '/out/index.html', '//etc/passwd', '/lessons/two.md/x']) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
    assert.doesNotMatch(r.body.toString(), /SECRET/, p);
    assert.match(r.body.toString(), /not here/, `${p}: the export's own 404 page`);
    assert.equal(r.headers['cache-control'], 'no-store');
  }
});

test('a path with a trailing slash is sent to the one without, never to another site', async () => {
  for (const [p, to] of [['/labs/', '/labs'], ['/lessons/two.md/?v=1', '/lessons/two.md?v=1'], ['/x//evil.example/', '/x//evil.example'], ['/a///', '/a']]) {
    const r = await get(p);
    assert.equal(r.status, 308, p);
    assert.equal(r.headers.location, to, p);
    assert.doesNotMatch(String(r.headers.location), /^\/\//, `${p}: no protocol-relative Location`);
  }
});

test('gzip when the browser takes it, the same bytes unpacked; small files as they are', async () => {
  const zipped = await get('/_next/static/chunks/app.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers.vary, 'Accept-Encoding');
  assert.ok(zipped.body.length < BIG_JS.length / 4, `compressed to ${zipped.body.length} bytes`);
  assert.equal(gunzipSync(zipped.body).toString(), BIG_JS);
  assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
  assert.equal((await get('/_next/static/chunks/app.js')).headers['content-encoding'], undefined, 'not without Accept-Encoding');
  assert.equal((await get('/lessons/two.md', { headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding'], undefined, 'a small file as it is');
});

test('an unchanged file is not sent again; HEAD sends headers only; other methods are refused', async () => {
  const first = await get('/');
  const etag = String(first.headers.etag);
  assert.match(etag, /^"[\w-]+"$/);
  const again = await get('/', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal((await get('/', { headers: { 'if-none-match': '"other"' } })).status, 200);
  const head = await get('/_next/static/chunks/app.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), BIG_JS.length);
  assert.equal(head.body.length, 0);
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await get('/', { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('the files as they were at start: a rebuild does not mix into a running server', async () => {
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><title>rebuilt</title>');
  writeFileSync(path.join(out, 'new.js'), 'new');
  try {
    assert.match((await get('/')).body.toString(), /lab page/);
    assert.equal((await get('/new.js')).status, 404);
  } finally {
    writeFileSync(path.join(out, 'index.html'), '<!doctype html><title>lab page</title>');
  }
});

test('without a build, the error says what to run', () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'vl-static-empty-'));
  try {
    assert.throws(() => loadStaticPage(empty), /the web page is not built \(no .*index\.html\): run "npm run build"/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
