/**
 * Flow control, Ctrl-C and scrollback with a real pty: `yes` floods the
 * terminal; without acknowledgements the pty is paused, acknowledgements
 * resume it, and Ctrl-C ends the flood at once. Real kernel, run as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, stripAnsi, Transcript } from './lab-fixture';
import { HIGH_WATERMARK_CHARS } from '../../server/terminal/flow-control';
import { OUTPUT_BATCH_MAX_CHARS } from '../../server/terminal/output-batcher';
import { SCROLLBACK_MAX_CHARS } from '../../server/terminal/scrollback';
import { terminalProcesses, readProcess } from '../../server/terminal/process-tree';
import { steady, until } from '../support/wait';

const env = useLab();

async function openShell(): Promise<Transcript> {
  const id = await env.fixture.manager.open({ node: env.lab.nsA, netns: env.lab.nsA });
  const t = new Transcript(env.fixture.manager, id);
  await t.waitFor(/\$ $/);
  return t;
}

/** Waits until the output has not grown for `quietMs`; returns the count then. */
async function untilQuiet(t: Transcript, quietMs = 300, timeoutMs = 5000): Promise<number> {
  await steady('the output to stop growing', () => String(t.chars), { everyMs: quietMs, timeoutMs });
  return t.chars;
}

function jobsOf(pid: number): string[] {
  return terminalProcesses(pid)
    .filter((p) => p !== pid)
    .map((p) => readProcess(p))
    .filter((p) => p !== null)
    .map((p) => `${p.pid}:${p.state}`);
}

test('a flood pauses without acknowledgements, resumes with them, and Ctrl-C ends it', async (ctx) => {
  const { manager } = env.fixture;
  const t = await openShell();
  manager.attach(t.id, 'browser');
  const start = t.chars;
  manager.input(t.id, 'yes\r');

  const stalled = await untilQuiet(t);
  const sent = stalled - start;
  ctx.diagnostic(`paused after ${sent} unacknowledged chars`);
  assert.ok(sent > HIGH_WATERMARK_CHARS, `paused too early, after ${sent} chars`);
  // What was read before the pause took effect: at most one batch and one read beyond the mark.
  assert.ok(sent < HIGH_WATERMARK_CHARS + 2 * OUTPUT_BATCH_MAX_CHARS, `not paused: ${sent} chars`);
  assert.equal(manager.stats(t.id).paused, true);
  assert.ok(manager.stats(t.id).unacknowledged.browser! > HIGH_WATERMARK_CHARS);
  assert.equal(jobsOf(manager.stats(t.id).pid).length, 1, 'yes is still running, blocked');

  // Acknowledge everything, as a browser does after rendering: the flood goes on.
  manager.ack(t.id, 'browser', sent);
  assert.equal(manager.stats(t.id).paused, false);
  await until('output to resume', () => t.chars >= stalled + HIGH_WATERMARK_CHARS, { timeoutMs: 3000, everyMs: 20 }).catch(() => undefined);
  assert.ok(t.chars > stalled + HIGH_WATERMARK_CHARS / 2, 'output resumed after the acknowledgement');
  await untilQuiet(t);
  assert.equal(manager.stats(t.id).paused, true, 'paused again without further acknowledgements');

  // Ctrl-C, with the browser still lagging: the flood stops and the prompt shows.
  const before = t.text.length;
  manager.input(t.id, '\x03');
  await t.waitFor(/\^C\s*\n?.*\$ $/, 3000, before);
  assert.equal(manager.stats(t.id).paused, false);
  const after = await untilQuiet(t);
  ctx.diagnostic(`${after - before} chars after Ctrl-C`);
  assert.ok(after - before < 2 * OUTPUT_BATCH_MAX_CHARS, `${after - before} chars after Ctrl-C`);
  assert.deepEqual(jobsOf(manager.stats(t.id).pid), []);
  const echo = await t.run('echo still-here');
  assert.match(echo.output, /\nstill-here/);
});

test('a client that detaches does not leave the pty paused', async () => {
  const { manager } = env.fixture;
  const t = await openShell();
  manager.attach(t.id, 'slow');
  manager.attach(t.id, 'fast');
  manager.input(t.id, 'yes\r');
  const stalled = await untilQuiet(t);
  assert.equal(manager.stats(t.id).paused, true);
  manager.ack(t.id, 'fast', stalled);
  assert.equal(manager.stats(t.id).paused, true, 'the slow client still holds it');
  manager.detachClient('slow');
  assert.equal(manager.stats(t.id).paused, false);
  manager.detach(t.id, 'fast');
  // Nobody attached: nothing holds the flood back (the scrollback stays bounded).
  await until('output to flow without clients', () => t.chars >= stalled + 3 * HIGH_WATERMARK_CHARS, { timeoutMs: 3000, everyMs: 20 }).catch(() => undefined);
  assert.ok(t.chars >= stalled + 3 * HIGH_WATERMARK_CHARS, 'flows without clients');
  assert.ok(manager.stats(t.id).scrollbackChars <= SCROLLBACK_MAX_CHARS);
  manager.input(t.id, '\x03');
  await untilQuiet(t);
  assert.deepEqual(jobsOf(manager.stats(t.id).pid), []);
});

test('output produced while nobody is attached is kept, and the scrollback is bounded', async () => {
  const { manager } = env.fixture;
  const t = await openShell();
  const done = await t.run('seq 1 2000 | tail -n 3; echo produced-while-detached');
  assert.equal(done.code, 0);
  const first = stripAnsi(manager.attach(t.id, 'late'));
  assert.match(first, /1998\n1999\n2000\nproduced-while-detached/);
  manager.detach(t.id, 'late');

  const big = await t.run('seq 1 120000', 20000);
  assert.equal(big.code, 0);
  const back = manager.attach(t.id, 'again');
  assert.ok(back.length <= SCROLLBACK_MAX_CHARS, `${back.length} chars kept`);
  assert.ok(back.length > SCROLLBACK_MAX_CHARS - 8192, `${back.length} chars kept`);
  const lines = stripAnsi(back).split('\n');
  assert.match(lines[0], /^\d+$/, 'starts at a line boundary');
  assert.ok(lines.includes('120000'));
  assert.ok(!lines.includes('1'), 'the oldest output was dropped');
});

test('resize takes integers only and clamps them', async () => {
  const { manager } = env.fixture;
  const t = await openShell();
  assert.equal(manager.resize(t.id, NaN, 30), false);
  assert.equal(manager.resize(t.id, 10.5, 30), false);
  assert.equal(manager.resize(t.id, 100000, 0), true);
  const size = await t.run('stty size');
  assert.match(size.output, /\n1 500\n/);
  assert.equal(manager.resize(t.id, 132, 43), true);
  const again = await t.run('stty size');
  assert.match(again.output, /\n43 132\n/);
  assert.equal(manager.resize('t999999', 80, 24), false);
});
