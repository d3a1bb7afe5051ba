/**
 * One lab as the teacher's grid shows it: its diagram drawn small (nodes at
 * their positions, cables), its lesson progress, its activity, and a flag
 * when the student seems stuck. Pure: built from what the lab's hub has.
 */
import type { Topology } from '../model/topology';
import type { LogEntry } from '../engine/command-log';
import type { LessonProgress, LessonStatus } from '../lessons/lesson-status';

/** No step done for this long, in a lesson not finished: the student may be stuck. */
export const STUCK_AFTER_MS = 5 * 60_000;
/** This many failed commands in a row: the student may be stuck. */
export const STUCK_FAILURES = 3;

export interface ClassTile {
  student: string;
  lab: string;
  nodes: { name: string; kind: string; x: number; y: number }[];
  links: [string, string][];
  lesson: { current: number; steps: number; done: number; failing: string[] } | null;
  lastCommand?: { text: string; at: string; ok: boolean };
  terminals: number;
  /** Why the student may be stuck. */
  stuck?: string;
}

export function classTile(student: { name: string; lab: string }, topo: Topology | undefined, progress: LessonProgress | null, status: LessonStatus | null, log: LogEntry[], terminals: number, now = Date.now()): ClassTile {
  const nodes = Object.entries(topo?.nodes ?? {}).map(([name, n], i) => ({ name, kind: n.kind, x: n.position?.x ?? 40 + 160 * (i % 4), y: n.position?.y ?? 40 + 120 * Math.floor(i / 4) }));
  const links = (topo?.links ?? []).map((l) => [l.endpoints[0].node, l.endpoints[1].node] as [string, string]);
  const commands = log.filter((e) => e.source !== 'info' && !e.bookkeeping);
  const last = commands.at(-1);
  const current = status?.current ?? 0;
  const lesson = status ? { current, steps: status.steps.length, done: status.steps.filter((s) => s.done).length, failing: (status.steps[current]?.results ?? []).filter((r) => !r.ok && !r.pending).map((r) => `${r.label}: ${r.found ?? ''}`) } : null;
  let stuck: string | undefined;
  const tail = commands.slice(-STUCK_FAILURES);
  if (tail.length === STUCK_FAILURES && tail.every((e) => e.status === 'error')) stuck = `the last ${STUCK_FAILURES} commands failed`;
  if (progress && lesson && lesson.done < lesson.steps) {
    const moments = [...progress.done, ...progress.begun, progress.startedAt].filter((t): t is string => !!t).map((t) => Date.parse(t));
    const since = now - Math.max(...moments);
    if (since > STUCK_AFTER_MS) stuck = `no step done for ${Math.floor(since / 60_000)} minutes`;
  }
  return {
    student: student.name,
    lab: student.lab,
    nodes,
    links,
    lesson,
    ...(last ? { lastCommand: { text: last.text, at: last.time, ok: last.status !== 'error' } } : {}),
    terminals,
    ...(stuck ? { stuck } : {}),
  };
}
