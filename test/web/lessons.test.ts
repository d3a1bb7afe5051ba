/**
 * Every shipped lesson done as a student would, on the real kernel in a lab
 * machine: its commands typed in the host node's terminal, each step ticking
 * in order in the lesson status every browser gets; then `vethlab check`
 * exits 0. At a partial state it exits 1 and names the first failing step.
 * The troubleshooting lesson is fixed from the faults its lab was given.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { connect, openShell, startTestServer, WAIT_MS, type Recorder, type Screen, type TestServer } from './web-fixture';
import { until } from '../support/wait';
import { vethlab } from '../support/kernel';
import { loadLesson } from '../../server/lessons/lesson-library';
import { injectFaults } from '../../server/lessons/lesson-faults';
import { kernelCapabilities } from '../../server/kernel/capabilities';
import type { Ack, CaptureList, LessonStatus, LessonView } from '../../server/protocol';
import type { Lesson } from '../../server/lessons/lesson';
import { LabLesson } from '../../server/lessons/lab-lesson';

let ts: TestServer;
const clients: Recorder[] = [];

before(async () => {
  ts = await startTestServer({ realHost: false });
});

after(async () => {
  for (const c of clients) c.close();
  await ts?.cleanup([]);
});

interface Student {
  r: Recorder;
  sh: Screen;
  statuses: LessonStatus[];
  views: (LessonView | null)[];
  captures: CaptureList[];
}

async function student(lab: string): Promise<Student> {
  if (!ts.server.registry.names().includes(lab)) ts.server.registry.create(lab);
  const s: Student = { r: undefined as never, sh: undefined as never, statuses: [], views: [], captures: [] };
  s.r = await connect(`${ts.base}/lab/${lab}`, { auth: { token: ts.server.registry.tokens(lab).edit } }, (socket) => {
    socket.on('lesson-status', (x: LessonStatus | null) => void (x && s.statuses.push(x)));
    socket.on('lesson', (v: LessonView | null) => void s.views.push(v));
    socket.on('capture-list', (l: CaptureList) => void s.captures.push(l));
  });
  clients.push(s.r);
  return s;
}

async function ask(s: Student, event: string, payload: unknown): Promise<Ack> {
  return (await (s.r.socket as Socket).timeout(60_000).emitWithAck(event, payload)) as Ack;
}

async function begin(s: Student, id: string): Promise<Lesson> {
  const started = await ask(s, 'lesson-start', { id });
  assert.ok(started.ok, JSON.stringify(started));
  s.sh = await openShell(s.r, 'host', { cols: 160, rows: 40 });
  const l = loadLesson(id);
  assert.ok(l.ok);
  return l.lesson;
}

const last = (s: Student) => s.statuses.at(-1);

async function stepDone(s: Student, i: number, what: string): Promise<void> {
  await until(`step ${i + 1} (${what}) to tick`, () => last(s)?.steps[i]?.done, { timeoutMs: 30_000 }).catch((e: Error) => {
    const st = last(s);
    const why = st?.steps[i]?.results.filter((r) => !r.ok).map((r) => `${r.label}: ${r.found ?? (r.pending ? 'pending' : '?')}`).join('; ');
    throw new Error(`${e.message}; failing: ${why}; terminal:\n${s.sh?.text.slice(-1500) ?? "(none)"}`);
  });
}

/** Types each step's commands in the host node's terminal and waits for that step, and only it, to tick. */
async function doLesson(s: Student, lesson: Lesson, before?: (step: number) => Promise<void>): Promise<void> {
  for (const [i, step] of lesson.steps.entries()) {
    assert.equal(last(s)?.current, i, `step ${i + 1} is the current one before its commands`);
    await before?.(i);
    for (const c of step.commands) s.sh.type(`${c.text}\n`);
    await stepDone(s, i, step.title);
    assert.ok(last(s)!.steps.slice(i + 1).every((x) => !x.done), 'later steps are not done before their commands');
  }
  assert.equal(last(s)!.current, lesson.steps.length);
}

async function check(id: string, lab: string) {
  return vethlab(['check', id, '--lab', lab], ts.dataDir, { realHost: false });
}

for (const id of ['two-namespaces', 'veth-host', 'routing']) {
  test(`lesson ${id}: typed in the host node's terminal, each step ticks in order; vethlab check passes`, async () => {
    const s = await student(`l-${id}`);
    const lesson = await begin(s, id);
    assert.equal(s.views.at(-1)?.id, id);
    await doLesson(s, lesson);
    const r = await check(id, `l-${id}`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`All ${lesson.steps.length} steps pass`));
  });
}

test('lesson lan-switch: the flooded ARP request is seen on ns3 while ns1 pings ns2', async () => {
  const s = await student('l-lan');
  const lesson = await begin(s, 'lan-switch');
  const packetStep = lesson.steps.findIndex((st) => st.checks.some((c) => c.type === 'packet'));
  await doLesson(s, lesson, async (i) => {
    // The lesson captures ns3's cable while its packet step is current; the ping waits for it to listen.
    if (i === packetStep) await until('the lesson capture on ns3', () => s.captures.at(-1)?.captures.some((c) => c.running && c.link?.includes('ns3:eth0')));
  });
  const r = await check('lan-switch', 'l-lan');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /- a ARP packet "who-has 10\.0\.0\.2" seen on ns3:eth0: packets are seen live only/);
});

test('lesson troubleshooting: the lab has its own faults; fixing them ticks every step', async () => {
  const lab = 'l-trouble';
  const s = await student(lab);
  const lesson = await begin(s, 'troubleshooting');
  const { faults } = injectFaults(lesson.start, lesson.faults!.count, lesson.faults!.kinds, `${lab}/troubleshooting`);
  assert.equal(faults.length, 3);
  await until('the faulty lab to be observed', () => last(s) && !last(s)!.steps[0].done && last(s)!.current === 0);
  const before = await check('troubleshooting', lab);
  assert.equal(before.code, 1, before.stdout);
  const fixes = faults.map((f) => {
    let m = /^(\w+):(\w+) is down$/.exec(f.what);
    if (m) return `ip -n ${m[1]} link set ${m[2]} up`;
    m = /^(\w+) lacks its route to default$/.exec(f.what);
    if (m) return `ip -n ${m[1]} route add default via ${lesson.start.nodes[m[1]].routes[0].via}`;
    m = /^(\w+):(\w+) has (\S+) instead of (\S+)$/.exec(f.what);
    if (m) return `ip -n ${m[1]} addr del ${m[3]} dev ${m[2]} && ip -n ${m[1]} addr add ${m[4]} dev ${m[2]}`;
    throw new Error(`no fix for ${f.what}`);
  });
  s.sh.type(`${fixes.join('\n')}\n`);
  for (const [i, st] of lesson.steps.entries()) await stepDone(s, i, st.title);
  const after = await check('troubleshooting', lab);
  assert.equal(after.code, 0, after.stdout);
});

test('vethlab check at a partial state exits 1 naming the first failing step; with --json too', async () => {
  const s = await student('l-partial');
  const lesson = await begin(s, 'two-namespaces');
  for (const step of lesson.steps.slice(0, 2)) s.sh.type(`${step.commands[0].text}\n`);
  await stepDone(s, 1, lesson.steps[1].title);
  const r = await check('two-namespaces', 'l-partial');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^✓ 1\. Create the veth pair$/m);
  assert.match(r.stdout, /^✗ 3\. Address veth0 and bring it up$/m);
  assert.match(r.stdout, /✗ veth0 in vnet0: up, with 10\.0\.1\.0\/24: veth0 is in vnet0 but DOWN/);
  assert.match(r.stdout, /First failing step: 3\. Address veth0 and bring it up/);
  const j = await vethlab(['check', 'two-namespaces', '--lab', 'l-partial', '--json'], ts.dataDir, { realHost: false });
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.stdout).firstFailing, 3);
  const bad = await vethlab(['check', 'no-such-lesson', '--lab', 'l-partial'], ts.dataDir, { realHost: false });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no lesson "no-such-lesson"/);
});

test('progress is kept with the lab (a new browser, a new lesson runtime as after a restart); show me and reset go through the planner', async () => {
  const s = await student('l-partial');
  await until('the lesson status on connect', () => last(s)?.steps[1]?.done);
  assert.equal(last(s)!.current, 2, 'a new browser gets the progress');
  const hub = await ts.server.hub('l-partial');
  const restarted = new LabLesson(hub.lab, hub.captures);
  assert.equal(restarted.status()?.current, 2, 'read back from the lab directory');
  await restarted.close();
  const shown = await ask(s, 'lesson-show', { step: 2 });
  assert.ok(shown.ok, JSON.stringify(shown));
  await stepDone(s, 2, 'shown');
  assert.match(s.r.log.map((e) => e.text).join('\n'), /show me: step 3/);
  const reset = await ask(s, 'lesson-reset', { step: 1 });
  assert.ok(reset.ok, JSON.stringify(reset));
  await until('the reset to take step 2 back', () => last(s)?.current === 1 && !last(s)?.steps[2].done);
  const view = await student('l-partial');
  const refused = (await (view.r.socket as Socket).timeout(WAIT_MS).emitWithAck('lesson-show', { step: 99 })) as Ack;
  assert.equal(refused.ok, false);
  const badStart = await ask(s, 'lesson-start', { source: '---\ntitle: x\ngoal: y\n---\n## S\n```check\n- pong: 1\n```\n' });
  assert.equal(badStart.ok, false);
  assert.match((badStart as { error: string }).error, /unknown check "pong"/);
  assert.equal(last(s)?.lesson, 'two-namespaces', 'a bad lesson changes nothing');
});

test('a view link sees the lesson and cannot start, show or reset it', async () => {
  const view = await connect(`${ts.base}/lab/l-partial`, { auth: { token: ts.server.registry.tokens('l-partial').view } });
  clients.push(view);
  for (const [event, payload] of [['lesson-start', { id: 'routing' }], ['lesson-show', { step: 0 }], ['lesson-reset', { step: 0 }], ['lesson-stop', {}]] as const) {
    const a = (await (view.socket as Socket).timeout(WAIT_MS).emitWithAck(event, payload)) as Ack;
    assert.equal(a.ok, false, event);
    assert.match((a as { error: string }).error, /view-only/);
  }
});

test('lesson impaired-cable: the delay measured with ping (needs sch_netem)', async (t) => {
  const s = await student('l-netem');
  const lesson = await begin(s, 'impaired-cable');
  if (!(await kernelCapabilities()).netem) {
    // Without netem the first step says what it found, and the rest cannot be done here.
    s.sh.type(`${lesson.steps[0].commands[0].text}\n`);
    await until('the first step to say the cable has no netem', () => last(s)?.steps[0].results[0].found === 'the cable has no netem');
    t.skip('this kernel has no sch_netem (CONFIG_NET_SCH_NETEM is not set): the delay and loss cannot be made');
    return;
  }
  await doLesson(s, lesson);
  const r = await check('impaired-cable', 'l-netem');
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('the seed lessons done with "show me" alone (the planner, as the mouse edits go) tick every step too', async () => {
  for (const id of ['two-namespaces', 'veth-host']) {
    const s = await student(`l-show-${id}`);
    const started = await ask(s, 'lesson-start', { id });
    assert.ok(started.ok, JSON.stringify(started));
    const l = loadLesson(id);
    assert.ok(l.ok);
    for (const [i, step] of l.lesson.steps.entries()) {
      const shown = await ask(s, 'lesson-show', { step: i });
      assert.ok(shown.ok, `${id} step ${i + 1}: ${JSON.stringify(shown)}`);
      await stepDone(s, i, step.title);
    }
  }
});
