/**
 * The server is born safe: the token on every request and socket, the Host
 * header against DNS rebinding, and the Origin of browser sockets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { connectError, startTestServer, type TestServer } from './web-fixture';
import { AccessPolicy, parseHostHeader } from '../../server/web/access';

let ts: TestServer;
let other: TestServer;

before(async () => {
  ts = await startTestServer();
  other = await startTestServer({ allowHosts: ['lab.example', 'proxy.example:8443'] });
});

after(async () => {
  await ts?.cleanup([]);
  await other?.cleanup([]);
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that Host and Origin can be anything. */
function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes as typed, for requests node's client would fix up (no Host header). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connectTcp(port, '127.0.0.1', () => sock.end(text));
    let out = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

function cookieOf(reply: Reply): string {
  const set = reply.headers['set-cookie'];
  assert.ok(set && set.length === 1, 'one cookie');
  return set[0].split(';')[0];
}

test('without the token a page says to open the printed URL', async () => {
  const r = await get(ts.server.port, '/');
  assert.equal(r.status, 401);
  assert.match(r.body, /vethlab serve/);
  assert.equal(r.headers['set-cookie'], undefined);
  assert.equal((await get(ts.server.port, '/?token=wrong')).status, 401);
  assert.equal((await get(ts.server.port, '/', { cookie: `vethlab_${ts.server.port}_default=wrong` })).status, 401);
});

test('a malformed cookie gets an answer at once, not a hung request', async () => {
  for (const cookie of [`vethlab_${ts.server.port}_default=%E0%A4%A`, '%%%=%%%; ;;=', `vethlab_${ts.server.port}_admin=%`]) {
    const r = await get(ts.server.port, '/', { cookie });
    assert.equal(r.status, 401, cookie);
  }
  const good = cookieOf(await get(ts.server.port, `/?token=${ts.server.token}`));
  assert.equal((await get(ts.server.port, '/', { cookie: `junk=%E0%A4%A; ${good}` })).status, 200, 'a broken neighbour does not hide the good cookie');
});

test('the token in the URL becomes a cookie and leaves the URL', async () => {
  const r = await get(ts.server.port, `/lab?x=1&token=${ts.server.token}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/lab?x=1');
  const set = String(r.headers['set-cookie']);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Lax/);
  const page = await get(ts.server.port, '/', { cookie: cookieOf(r) });
  assert.equal(page.status, 200);
  // Framed only by vethlab's own pages (a student's page shows the teacher's lab), never by another site.
  assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
  assert.equal(page.headers['content-security-policy'], "frame-ancestors 'self'");
  assert.ok(ts.server.url.startsWith(`http://127.0.0.1:${ts.server.port}/?token=`));
});

test('the redirect never leaves the server', async () => {
  const r = await get(ts.server.port, `/.//evil.example/?token=${ts.server.token}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/evil.example/');
});

test('a foreign Host header is refused, with the way out', async () => {
  const r = await get(ts.server.port, `/?token=${ts.server.token}`);
  const cookie = cookieOf(r);
  const port = ts.server.port;
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`]) {
    const res = await get(port, '/', { cookie, host });
    assert.equal(res.status, 403, `Host ${host}`);
    assert.match(res.body, /--allow-host/);
  }
  const bare = await rawRequest(port, `GET / HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
  assert.match(bare, /^HTTP\/1\.[01] 403/, 'no Host header at all');
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    assert.equal((await get(port, '/', { cookie, host })).status, 200, `Host ${host}`);
  }
});

test('--allow-host adds names', async () => {
  const cookie = cookieOf(await get(other.server.port, `/?token=${other.server.token}`));
  assert.equal((await get(other.server.port, '/', { cookie, host: 'lab.example' })).status, 200);
  assert.equal((await get(other.server.port, '/', { cookie, host: 'lab.example:9999' })).status, 200);
  assert.equal((await get(other.server.port, '/', { cookie, host: 'proxy.example:8443' })).status, 200);
  assert.equal((await get(other.server.port, '/', { cookie, host: 'proxy.example:8444' })).status, 403);
  assert.equal((await get(other.server.port, '/', { cookie, host: 'evil.example' })).status, 403);
});

test('a socket needs the token, by auth or by cookie', async () => {
  assert.match(String(await connectError(ts.base, {})), /token/);
  assert.match(String(await connectError(ts.base, { auth: { token: 'wrong' } })), /token/);
  assert.match(String(await connectError(ts.base, { auth: { token: other.server.token } })), /token/);
  assert.equal(await connectError(ts.base, { auth: { token: ts.server.token } }), null);
  const cookie = cookieOf(await get(ts.server.port, `/?token=${ts.server.token}`));
  assert.equal(await connectError(ts.base, { extraHeaders: { cookie } }), null);
  assert.equal(await connectError(ts.base, { extraHeaders: { cookie }, transports: ['websocket'] }), null);
});

test('a socket from another origin is refused, even with the token', async () => {
  const auth = { token: ts.server.token };
  for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1.evil.example', `http://127.0.0.1:${ts.server.port + 1}`, `http://localhost.evil.example:${ts.server.port}`]) {
    for (const transports of [['polling'], ['websocket']]) {
      const why = await connectError(ts.base, { auth, transports, extraHeaders: { origin } });
      assert.notEqual(why, null, `Origin ${origin} over ${transports}`);
    }
  }
  // The page's own origin, and a script without one, are let in.
  assert.equal(await connectError(ts.base, { auth, extraHeaders: { origin: `http://127.0.0.1:${ts.server.port}` } }), null);
  assert.equal(await connectError(ts.base, { auth, transports: ['websocket'] }), null);
});

test('a socket handshake for a foreign Host is refused', async () => {
  const port = ts.server.port;
  const handshake = '/socket.io/?EIO=4&transport=polling';
  const refused = await get(port, handshake, { host: 'evil.example' });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /refuses/);
  const evilOrigin = await get(port, handshake, { origin: 'http://evil.example' });
  assert.equal(evilOrigin.status, 403);
  assert.equal((await get(port, handshake)).status, 200, 'the same handshake with the right Host opens');
  // ws sends the Host it is given.
  const why = await connectError(`http://127.0.0.1:${port}`, { auth: { token: ts.server.token }, transports: ['websocket'], extraHeaders: { host: 'evil.example' } });
  assert.notEqual(why, null);
});

test('host names parse strictly', () => {
  assert.deepEqual(parseHostHeader('LocalHost:3000'), { name: 'localhost', port: 3000 });
  assert.deepEqual(parseHostHeader('[::1]:3000'), { name: '[::1]', port: 3000 });
  assert.deepEqual(parseHostHeader('lab.example'), { name: 'lab.example' });
  for (const bad of ['', 'a b', 'user@host', 'host/path', '::1:3000', 'host:99999999']) assert.equal(parseHostHeader(bad), null, bad);
  const resolve = (t: string) => (t === 't0k3n' ? ({ scope: 'lab', lab: 'default', role: 'edit' } as const) : null);
  const policy = new AccessPolicy({ resolve, port: 3000, host: '192.0.2.7' });
  assert.ok(policy.hostAllowed('192.0.2.7:3000'));
  assert.ok(!policy.hostAllowed('192.0.2.7:3001'));
  assert.ok(!new AccessPolicy({ resolve, port: 3000, host: '0.0.0.0' }).hostAllowed('0.0.0.0:3000'));
  assert.ok(policy.originAllowed(undefined, 'localhost:3000'));
  assert.ok(policy.originAllowed('http://localhost:3000', 'localhost:3000'));
  assert.ok(!policy.originAllowed('http://localhost:3000', '127.0.0.1:3000'), 'the origin must be the page the socket came from');
  assert.equal(policy.grantOf('t0k3'), null);
  assert.equal(policy.roleFor('default', undefined, 't0k3n'), 'edit');
  assert.equal(policy.roleFor('other', undefined, 't0k3n'), null, "a lab's token opens that lab only");
  assert.equal(policy.roleFor('default', 'vethlab_3000_default=t0k3n'), 'edit');
  assert.equal(policy.roleFor('default', 'vethlab_3000_other=t0k3n'), null, 'a cookie counts only under its own lab');
  assert.equal(policy.grantOf(undefined), null);
});
