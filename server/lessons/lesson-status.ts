/**
 * Where a lab stands in its lesson, from check results: a step is done the
 * first time all its checks pass together, and stays done (the time is kept
 * for the teacher); the current step is the first not done. Pure.
 */
import type { CheckResult } from './evaluate-state';
import type { Lesson, LessonView } from './lesson';
import { checkLabel } from './evaluate-state';

export interface LessonProgress {
  lesson: string;
  /** A teacher's own lesson file, kept with the lab (shipped ones are read from public/lessons). */
  source?: string;
  startedAt: string;
  /** Per step: when it was first done (ISO time), or null. */
  done: (string | null)[];
  /** Per step: when it became the current step. */
  begun: (string | null)[];
}

export interface StepStatus {
  done: boolean;
  doneAt?: string;
  /** Live: every check as the lab is now (active ones as last run). */
  results: CheckResult[];
}

export interface LessonStatus {
  lesson: string;
  /** The first step not done; steps.length when all are. */
  current: number;
  steps: StepStatus[];
  /** Active checks of the current step are running. */
  checking: boolean;
}

export function newProgress(lesson: Lesson, now = new Date(), source?: string): LessonProgress {
  return {
    lesson: lesson.id,
    ...(source ? { source } : {}),
    startedAt: now.toISOString(),
    done: lesson.steps.map(() => null),
    begun: lesson.steps.map((_, i) => (i === 0 ? now.toISOString() : null)),
  };
}

export function currentStep(p: LessonProgress): number {
  const i = p.done.findIndex((d) => d === null);
  return i < 0 ? p.done.length : i;
}

/** Marks the steps whose checks all pass as done (in order: a step is done only after the ones before it). Returns whether anything changed. */
export function advance(p: LessonProgress, results: CheckResult[][], now = new Date()): boolean {
  let changed = false;
  for (let i = currentStep(p); i < p.done.length; i = currentStep(p)) {
    const rs = results[i] ?? [];
    if (rs.length === 0 || !rs.every((r) => r.ok)) break;
    p.done[i] = now.toISOString();
    if (i + 1 < p.begun.length && !p.begun[i + 1]) p.begun[i + 1] = now.toISOString();
    changed = true;
  }
  return changed;
}

/** Forgets the steps from `step` on (a reset to the start of it). */
export function rewind(p: LessonProgress, step: number, now = new Date()): void {
  for (let i = step; i < p.done.length; i++) {
    p.done[i] = null;
    p.begun[i] = i === step ? now.toISOString() : null;
  }
}

export function lessonView(l: Lesson): LessonView {
  return {
    id: l.id,
    title: l.title,
    goal: l.goal,
    intro: l.intro,
    steps: l.steps.map((s) => ({ title: s.title, text: s.text, ...(s.hint ? { hint: s.hint } : {}), commands: s.commands, checks: s.checks.map(checkLabel) })),
  };
}
