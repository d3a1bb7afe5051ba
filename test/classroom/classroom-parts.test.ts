/** The pure parts of a class: student names to labs, a tile (and when a student seems stuck), results as CSV. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slug, studentsFor } from '../../server/classroom/roster';
import { classTile, STUCK_AFTER_MS } from '../../server/classroom/class-tile';
import { resultRow, resultsCsv } from '../../server/classroom/results';
import type { LessonProgress, LessonStatus } from '../../server/lessons/lesson-status';
import type { LogEntry } from '../../server/engine/command-log';

test('students become distinct lab names; bad classes and names are refused by field', () => {
  assert.equal(slug('Ana María'), 'ana-maria');
  const r = studentsFor('monday', ['Ana', 'ana', ' Bo ', ''], new Set(['monday-bo']));
  assert.ok(r.ok);
  assert.deepEqual(r.students.map((s) => s.lab), ['monday-ana', 'monday-ana-2', 'monday-bo-2']);
  const n = studentsFor('c', 3);
  assert.ok(n.ok);
  assert.deepEqual(n.students.map((s) => s.lab), ['c-s01', 'c-s02', 'c-s03']);
  assert.match((studentsFor('Bad Class', 2) as { error: string }).error, /^name: /);
  assert.match((studentsFor('c', []) as { error: string }).error, /^students: a class needs/);
  assert.match((studentsFor('c', ['!!!']) as { error: string }).error, /^students: "!!!" has no letter/);
  assert.match((studentsFor('c', 201) as { error: string }).error, /at most 200/);
});

const progress = (done: (string | null)[], begun: (string | null)[], startedAt = '2026-01-01T10:00:00.000Z'): LessonProgress => ({ lesson: 'l', startedAt, done, begun });
const status = (current: number, failing = false): LessonStatus => ({
  lesson: 'l',
  current,
  checking: false,
  steps: [0, 1, 2].map((i) => ({ done: i < current, results: [{ label: 'veth0 up', ok: i < current || !failing, ...(failing && i >= current ? { found: 'veth0 is in vnet0 but DOWN' } : {}) }] })),
});
const entry = (text: string, ok = true): LogEntry => ({ seq: 1, time: '2026-01-01T10:00:00.000Z', source: 'lab', text, status: ok ? 'ok' : 'error' });

test("a tile: the diagram, the lesson's progress and failing check, the last command, and when a student seems stuck", () => {
  const now = Date.parse('2026-01-01T10:03:00.000Z');
  const t = classTile({ name: 'Ana', lab: 'c-ana' }, { name: 'x', nodes: { vnet0: { kind: 'netns', interfaces: {}, routes: [], position: { x: 10, y: 20 } } }, links: [] }, progress([null, null, null], ['2026-01-01T10:00:00.000Z', null, null]), status(0, true), [entry('ip netns add vnet0')], 2, now);
  assert.deepEqual(t.nodes, [{ name: 'vnet0', kind: 'netns', x: 10, y: 20 }]);
  assert.deepEqual(t.lesson, { current: 0, steps: 3, done: 0, failing: ['veth0 up: veth0 is in vnet0 but DOWN'] });
  assert.equal(t.lastCommand?.text, 'ip netns add vnet0');
  assert.equal(t.terminals, 2);
  assert.equal(t.stuck, undefined, 'three minutes without a step is not stuck yet');
  const later = classTile({ name: 'Ana', lab: 'c-ana' }, undefined, progress([null, null, null], ['2026-01-01T10:00:00.000Z', null, null]), status(0, true), [], 0, Date.parse('2026-01-01T10:00:00.000Z') + STUCK_AFTER_MS + 60_000);
  assert.equal(later.stuck, 'no step done for 6 minutes');
  const failing = classTile({ name: 'Bo', lab: 'c-bo' }, undefined, null, null, [entry('a', false), entry('b', false), entry('c', false)], 0, now);
  assert.equal(failing.stuck, 'the last 3 commands failed');
  const finished = classTile({ name: 'Cy', lab: 'c-cy' }, undefined, progress(['t', 't', 't'], ['2026-01-01T10:00:00.000Z', null, null]), status(3), [], 0, now + 3600_000);
  assert.equal(finished.stuck, undefined, 'a finished lesson is not stuck');
});

test('results: the step reached, the checks, seconds per step; CSV quotes and defuses formulas', () => {
  const p = progress(['2026-01-01T10:01:30.000Z', null, null], ['2026-01-01T10:00:00.000Z', '2026-01-01T10:01:30.000Z', null]);
  const row = resultRow({ name: 'Ana, "the first"', lab: 'c-ana' }, p, status(1, true));
  assert.deepEqual(row, { student: 'Ana, "the first"', lab: 'c-ana', lesson: 'l', stepsDone: 1, steps: 3, stepReached: 2, checksPassing: 0, checks: 1, secondsPerStep: [90, null, null] });
  const csv = resultsCsv([row, resultRow({ name: '=HYPERLINK("x")', lab: 'c-x' }, null, null)]);
  assert.equal(
    csv,
    'student,lab,lesson,steps_done,steps,step_reached,checks_passing,checks,step1_seconds,step2_seconds,step3_seconds\n' +
      '"Ana, ""the first""",c-ana,l,1,3,2,0,1,90,,\n' +
      `"'=HYPERLINK(""x"")",c-x,,0,0,1,0,0,,,\n`,
  );
});
