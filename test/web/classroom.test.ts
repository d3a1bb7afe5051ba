/**
 * A class on one server, on the real kernel: 30 lab machines made from a
 * lesson through the teacher's socket, 30 student sockets each changing
 * their own lab while the teacher's grid follows every change within a
 * second; tokens that open only what they say; a reset compared on the
 * kernel before and after; results; `vethlab check --all`; deleting the class.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { io as connectClient, type Socket } from 'socket.io-client';
import { connect, connectError, startTestServer, type Recorder, type TestServer } from './web-fixture';
import { until } from '../support/wait';
import { vethlab } from '../support/kernel';
import type { Ack, ClassTile, StudentLink } from '../../server/protocol';

const STUDENTS = 30;
let ts: TestServer;
let teacher: Socket;
const students: Recorder[] = [];
let links: StudentLink[] = [];
const grid: { at: number; tiles: ClassTile[] }[] = [];

async function admin(token: string): Promise<Socket> {
  const s = connectClient(`${ts.base}/admin`, { auth: { token }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
  return s;
}

const ask = async <T extends object = object>(event: string, payload: unknown, timeout = 30_000) => (await teacher.timeout(timeout).emitWithAck(event, payload)) as Ack<T>;
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

before(async () => {
  ts = await startTestServer({ realHost: false });
  teacher = await admin(ts.server.registry.adminToken());
  teacher.on('class-grid', (g: { tiles: ClassTile[] }) => grid.push({ at: Date.now(), tiles: g.tiles }));
});

after(async () => {
  teacher?.close();
  for (const s of students) s.close();
  await ts?.cleanup([]);
});

test(`a class of ${STUDENTS} from a lesson: a lab machine each, join links, a grid of ${STUDENTS} tiles`, async () => {
  const made = await ask('class-create', { name: 'c1', students: STUDENTS, lesson: 'two-namespaces' }, 300_000);
  assert.ok(made.ok, JSON.stringify(made));
  const w = await ask<{ links: StudentLink[]; tiles: ClassTile[] }>('class-watch', { name: 'c1' });
  assert.ok(w.ok, JSON.stringify(w));
  links = w.links;
  assert.equal(links.length, STUDENTS);
  assert.equal(w.tiles.length, STUDENTS);
  assert.deepEqual(w.tiles[0].lesson, { current: 0, steps: 5, done: 0, failing: ['a veth pair veth0 ⟷ veth1: there is no veth0 and no veth1'] });
  for (const l of links) students.push(await connect(`${ts.base}/lab/${l.lab}`, { auth: { token: tokenOf(l.edit) } }));
});

test('every student changes their own lab at once; the grid follows each change within a second', async () => {
  const from = grid.length;
  const sent = await Promise.all(
    students.map(async (s, i) => {
      const a = (await (s.socket as Socket).timeout(60_000).emitWithAck('lab-edit', { op: 'add-node', kind: 'netns', name: 'vnet0' })) as Ack;
      assert.ok(a.ok, JSON.stringify(a));
      return { lab: links[i].lab, at: Date.now() };
    }),
  );
  const seen = await until('every tile to show vnet0', () => {
    const at = new Map<string, number>();
    for (const g of grid.slice(from)) for (const t of g.tiles) if (!at.has(t.lab) && t.nodes.some((n) => n.name === 'vnet0')) at.set(t.lab, g.at);
    return at.size === STUDENTS ? at : undefined;
  });
  const delays = sent.map((x) => seen.get(x.lab)! - x.at).sort((a, b) => a - b);
  console.log(`# grid after an edit in each of ${STUDENTS} labs: median ${delays[delays.length >> 1]} ms, worst ${delays.at(-1)} ms`);
  assert.ok(delays.at(-1)! < 1000, `a tile followed its lab ${delays.at(-1)} ms after the edit`);
  // Progress too: step 2 needs vnet0 (and veth0 in it), so it is not done; step 1 is not either.
  assert.equal(grid.at(-1)!.tiles[0].lesson!.done, 0);
});

test("tokens open only what they say: a student's opens no other lab and not the teacher's socket", async () => {
  const [a, b] = links;
  assert.match(String(await connectError(`${ts.base}/lab/${b.lab}`, { auth: { token: tokenOf(a.edit) } })), /token/);
  await assert.rejects(admin(tokenOf(a.edit)), /admin token/);
  await assert.rejects(admin(tokenOf(a.view)), /admin token/);
  const viewer = await connect(`${ts.base}/lab/${a.lab}`, { auth: { token: tokenOf(a.view) } });
  const refused = (await (viewer.socket as Socket).timeout(10_000).emitWithAck('lab-edit', { op: 'add-node', kind: 'netns' })) as Ack;
  viewer.close();
  assert.equal(refused.ok, false);
  // The teacher in a lab: the student sees it.
  const seenTeacher = new Promise<boolean>((resolve) => students[0].socket.on('lab-presence', (p: { teacher: boolean }) => p.teacher && resolve(true)));
  const inLab = await connect(`${ts.base}/lab/${a.lab}`, { auth: { token: ts.server.registry.adminToken() } });
  assert.equal(await seenTeacher, true);
  inLab.close();
});

test('reset puts a lab back to the start of the lesson: the kernel before and after', async () => {
  const lab = links[0].lab;
  const hub = await ts.server.hub(lab);
  const changed = (await hub.lab.observe()).topology;
  assert.ok(changed.nodes.vnet0, 'the student made vnet0');
  const r = await ask('class-reset', { name: 'c1', lab });
  assert.ok(r.ok, JSON.stringify(r));
  const after = (await hub.lab.observe()).topology;
  assert.deepEqual(Object.keys(after.nodes), [], "the lesson's start is an empty lab");
  assert.ok((await ts.server.hub(links[1].lab)).lab.current?.nodes.vnet0, 'another lab is untouched');
});

test('results as CSV and JSON, and vethlab check --all over every lab', async () => {
  const csv = await ask<{ text: string }>('class-results', { name: 'c1', format: 'csv' });
  assert.ok(csv.ok);
  const lines = csv.text.trim().split('\n');
  assert.equal(lines.length, STUDENTS + 1);
  assert.match(lines[0], /^student,lab,lesson,steps_done,steps,step_reached,checks_passing,checks,step1_seconds,/);
  assert.match(lines[1], /^s01,c1-s01,two-namespaces,0,5,1,0,1,/);
  const json = await ask<{ text: string }>('class-results', { name: 'c1', format: 'json' });
  assert.ok(json.ok);
  assert.equal(JSON.parse(json.text).length, STUDENTS);
  const all = await vethlab(['check', 'two-namespaces', '--all'], ts.dataDir, { realHost: false });
  assert.equal(all.code, 1);
  assert.match(all.stdout, /✗ c1-s01: 0 of 5 steps; first failing: 1\. Create the veth pair/);
  assert.equal(all.stdout.trim().split('\n').length, 1 + ts.server.registry.names().length);
});

test("the teacher's lab shown to the class: every student's page gets its view link, which opens it read-only", async () => {
  const shared = new Promise<{ lab: string; url: string }>((resolve) => students[1].socket.on('lab-shared', (s: { lab: string; url: string } | null) => s && resolve(s)));
  const on = await ask('class-share', { name: 'c1', on: true });
  assert.ok(on.ok, JSON.stringify(on));
  const view = await shared;
  assert.equal(view.lab, 'c1-teacher');
  const watcher = await connect(`${ts.base}/lab/c1-teacher`, { auth: { token: tokenOf(view.url) } });
  const refused = (await (watcher.socket as Socket).timeout(10_000).emitWithAck('lab-edit', { op: 'add-node', kind: 'netns' })) as Ack;
  watcher.close();
  assert.equal(refused.ok, false);
  assert.match((refused as { error: string }).error, /view-only/);
  // A student who connects later is told too.
  let lateShared: unknown;
  const late = await connect(`${ts.base}/lab/${links[2].lab}`, { auth: { token: tokenOf(links[2].edit) } }, (s) => s.on('lab-shared', (x: unknown) => void (lateShared = x)));
  await until('the late student to be told', () => (lateShared as { lab?: string } | undefined)?.lab === 'c1-teacher');
  late.close();
  assert.ok((await ask('class-share', { name: 'c1', on: false })).ok);
});

test('students added and removed later; every lab reset at once', async () => {
  const add = await ask('class-add', { name: 'c1', students: ['Dana Ng'] }, 120_000);
  assert.ok(add.ok, JSON.stringify(add));
  assert.ok(ts.server.registry.names().includes('c1-dana-ng'));
  const dana = await ts.server.hub('c1-dana-ng');
  assert.equal(dana.lesson.view()?.id, 'two-namespaces', 'a late student starts the lesson too');
  const removed = await ask('class-remove', { name: 'c1', lab: 'c1-dana-ng' }, 120_000);
  assert.ok(removed.ok, JSON.stringify(removed));
  assert.equal(ts.server.registry.names().includes('c1-dana-ng'), false);
  assert.equal((await ask('class-add', { name: 'c1', students: ['teacher'] })).ok, false, "no student takes the teacher's lab");
  const all = await ask('class-reset', { name: 'c1' }, 300_000);
  assert.ok(all.ok, JSON.stringify(all));
  for (const l of links.slice(0, 3)) assert.deepEqual(Object.keys((await (await ts.server.hub(l.lab)).lab.observe()).topology.nodes), [], `${l.lab} is back at the start`);
});

test('bad teacher payloads are refused by name; deleting the class removes its labs', async () => {
  for (const [event, payload, error] of [
    ['class-create', { name: 'Bad Name', students: 2 }, /^name: /],
    ['class-create', { name: 'c2', students: 0 }, /^students: /],
    ['class-create', { name: 'c2', students: 2, lesson: 'nope' }, /^lesson: no lesson "nope"/],
    ['class-create', { name: 'c1', students: 2 }, /already a class "c1"/],
    ['class-reset', { name: 'c1', lab: 'default' }, /"default" is not a lab of class c1/],
    ['class-watch', { name: 'zz' }, /no class "zz"/],
  ] as const) {
    const a = await ask(event, payload);
    assert.equal(a.ok, false, `${event} ${JSON.stringify(payload)}`);
    assert.match((a as { error: string }).error, error);
  }
  for (const s of students.splice(0)) s.close();
  const d = await ask('class-delete', { name: 'c1' }, 300_000);
  assert.ok(d.ok, JSON.stringify(d));
  assert.deepEqual(ts.server.registry.names().filter((n) => n.startsWith('c1-')), [], "the students' labs and the teacher's are gone");
});
