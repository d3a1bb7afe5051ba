/**
 * Grading a lab against a lesson after the fact (`vethlab check`): every
 * check of every step against the lab as it is, state and active alike.
 * A packet check is only seen live (a capture running while the step is
 * done), so here it is reported as not checked and counts as neither.
 */
import type { Machine } from '../kernel/machine';
import type { Topology } from '../model/topology';
import { ACTIVE_KINDS } from './check';
import { runActive } from './active-checks';
import { evaluateState, checkLabel, type CheckResult } from './evaluate-state';
import type { Lesson } from './lesson';

export interface GradedCheck extends CheckResult {
  /** Not checked from here (a packet check). */
  skipped?: boolean;
}

export interface GradedStep {
  title: string;
  ok: boolean;
  checks: GradedCheck[];
}

export async function gradeLesson(lesson: Lesson, topology: Topology, machine: Machine | undefined): Promise<GradedStep[]> {
  const out: GradedStep[] = [];
  for (const step of lesson.steps) {
    const checks: GradedCheck[] = [];
    for (const c of step.checks) {
      if (!ACTIVE_KINDS.has(c.type)) checks.push(evaluateState(c, topology));
      else if (c.type === 'packet') checks.push({ label: checkLabel(c), ok: true, skipped: true, found: 'packets are seen live only: this check ticks in the web lab while the step is done' });
      else if (!machine) checks.push({ label: checkLabel(c), ok: false, found: 'the lab machine is not running' });
      else checks.push(await runActive(c, { machine, topology, packetSeen: () => false }));
    }
    out.push({ title: step.title, ok: checks.every((c) => c.ok), checks });
  }
  return out;
}
