/**
 * Terminals over socket.io against a real server (root, real kernel): a shell
 * inside a lab namespace, the Ping action, re-attach with scrollback, bad
 * payloads refused, a deleted namespace ends its shell, closing the server
 * leaves no process behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, openTerminal as open, Screen, sleep, startTestServer, tag, WAIT_MS, type Recorder, type TestServer, pairYaml } from './web-fixture';
import type { Ack } from '../../server/protocol';
import { until } from '../support/wait';
import { hasEnded, watchProcess } from '../support/process';

const t = tag();
const A = `vlwt${t}a`;
const B = `vlwt${t}b`;
let ts: TestServer;
let client: Recorder;

const yaml = pairYaml('terminals', A, B);

before(async () => {
  ts = await startTestServer();
  client = await connect(ts.base, { auth: { token: ts.server.token } });
  const r = await client.send('lab-edit', { op: 'load', yaml });
  assert.ok(r.ok, JSON.stringify(r));
});

after(async () => {
  client?.close();
  await ts?.cleanup([A, B]);
});

test('a shell inside a namespace sees only that namespace, as an unprivileged user', async () => {
  const r = await open(client, { node: A, cols: 100, rows: 30 });
  assert.ok(r.ok, JSON.stringify(r));
  const screen = new Screen(client, r.id);
  await screen.attach();
  await screen.waitFor(new RegExp(`${A}`)); // the prompt names the namespace
  screen.type('ip -o link; id -u; echo END-$((6*7))\n');
  const out = await screen.waitFor(/END-42/);
  assert.match(out, /veth0/);
  assert.doesNotMatch(out, /veth1|eth0:/);
  assert.doesNotMatch(out.split('END-42')[0].split('id -u')[1] ?? '', /^0\r?$/m, 'the shell runs as root');

  // A second browser (or a reload) re-attaches with the output so far.
  const other = await connect(ts.base, { auth: { token: ts.server.token } });
  try {
    const again = new Screen(other, r.id);
    await again.attach();
    assert.match(again.text, /END-42/);
  } finally {
    other.close();
  }
});

test('the Ping action runs ping -c 3 inside the namespace', async () => {
  const r = await open(client, { node: B, ping: '10.0.1.0' });
  assert.ok(r.ok, JSON.stringify(r));
  const screen = new Screen(client, r.id);
  await screen.attach();
  await screen.waitFor(/3 packets transmitted, 3 received, 0% packet loss/);
});

test('bad terminal payloads are refused with the field named', async () => {
  const cases: [unknown, RegExp][] = [
    [{ node: 'a;b' }, /node/],
    [{ node: `${A}x` }, /no node/],
    [{ node: A, ping: 'evil.example' }, /ping/],
    [{ node: A, ping: '10.0.1.1; rm -rf /' }, /ping/],
    [{ node: A, cols: Number.NaN }, /cols/],
    [{}, /node/],
  ];
  for (const [payload, expect] of cases) {
    const r = await open(client, payload);
    assert.equal(r.ok, false, JSON.stringify(payload));
    assert.match((r as { error: string }).error, expect);
  }
  // Input and resize for unknown terminals or with bad sizes are ignored, and the server lives on.
  (client.socket as unknown as { emit(e: string, p: unknown): void }).emit('terminal-resize', { id: 't999', cols: 'x', rows: -1 });
  client.socket.emit('terminal-input', { id: '../x', data: 'rm -rf /\n' });
  const state = await client.send('lab-export', { format: 'yaml' });
  assert.ok(state.ok);
});

test('deleting the namespace ends its terminals, and the browser is told', async () => {
  const r = await open(client, { node: A });
  assert.ok(r.ok);
  const shell = watchProcess(ts.server.terminals.stats(r.id).pid);
  const exited = new Promise<string>((resolve) => client.socket.on('terminal-exit', ({ id, reason }) => id === r.id && resolve(reason)));
  const del = await client.send('lab-edit', { op: 'delete-node', name: A });
  assert.ok(del.ok, JSON.stringify(del));
  assert.match(await exited, new RegExp(`${A} was deleted`));
  await until('the shell to end', () => hasEnded(shell), { everyMs: 20 }).catch(() => undefined);
  assert.ok(hasEnded(shell), 'the shell outlived its namespace');
});

test('closing the server ends every shell', async () => {
  const r = await open(client, { node: B });
  assert.ok(r.ok);
  const shell = watchProcess(ts.server.terminals.stats(r.id).pid);
  await ts.server.terminals.closeAll();
  // Gone, or a zombie waiting for this machine's init to reap it.
  assert.ok(hasEnded(shell), 'the shell outlived the server');
});
