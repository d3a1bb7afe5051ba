/**
 * A class's results: per lab, the step reached, the checks of the current
 * step that pass, and the time spent on each step, as JSON rows or CSV.
 * Pure: built from each lab's lesson progress and status.
 */
import type { LessonProgress, LessonStatus } from '../lessons/lesson-status';
import type { Student } from './roster';

export interface ResultRow {
  student: string;
  lab: string;
  lesson: string | null;
  /** Steps done, and of how many. */
  stepsDone: number;
  steps: number;
  /** The step the student is on (1-based); steps + 1 when all are done. */
  stepReached: number;
  /** The current step's checks: passing and all. */
  checksPassing: number;
  checks: number;
  /** Seconds spent on each step (from when it became current to when it was done); null while not done. */
  secondsPerStep: (number | null)[];
}

export function resultRow(student: Student, progress: LessonProgress | null, status: LessonStatus | null): ResultRow {
  const steps = progress?.done.length ?? 0;
  const stepsDone = progress?.done.filter(Boolean).length ?? 0;
  const current = status?.current ?? stepsDone;
  const results = status?.steps[current]?.results ?? [];
  const secondsPerStep = (progress?.done ?? []).map((d, i) => {
    const from = progress!.begun[i];
    return d && from ? Math.round((Date.parse(d) - Date.parse(from)) / 1000) : null;
  });
  return {
    student: student.name,
    lab: student.lab,
    lesson: progress?.lesson ?? null,
    stepsDone,
    steps,
    stepReached: current + 1,
    checksPassing: results.filter((r) => r.ok).length,
    checks: results.length,
    secondsPerStep,
  };
}

/** A CSV field, quoted when it holds a comma, a quote or a line break; a leading =, +, - or @ is defused for spreadsheets. */
function csvField(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsCsv(rows: ResultRow[]): string {
  const steps = Math.max(0, ...rows.map((r) => r.secondsPerStep.length));
  const head = ['student', 'lab', 'lesson', 'steps_done', 'steps', 'step_reached', 'checks_passing', 'checks', ...Array.from({ length: steps }, (_, i) => `step${i + 1}_seconds`)];
  const lines = rows.map((r) => [r.student, r.lab, r.lesson, r.stepsDone, r.steps, r.stepReached, r.checksPassing, r.checks, ...Array.from({ length: steps }, (_, i) => r.secondsPerStep[i] ?? null)].map(csvField).join(','));
  return [head.join(','), ...lines].join('\n') + '\n';
}
