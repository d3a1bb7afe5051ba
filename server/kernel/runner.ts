/**
 * Executes a plan: consecutive steps of one program in the same namespace go
 * to one `ip [-n NS] -batch -` (or `tc [-n NS] -batch -`), so a plan costs
 * one process per namespace, not one per command. On the first failing command it stops, and says which command
 * failed and what the kernel answered.
 */
import { runIn, runIp, type IpResult } from './ip';
import { REAL_HOST, type Machine } from './machine';
import { commandLine, isBatchable, stepArgv, type Step } from '../model/step';

export interface StepOutcome {
  step: Step;
  status: 'ok' | 'error' | 'not-run';
  message?: string;
}

export interface RunResult {
  ok: boolean;
  outcomes: StepOutcome[];
  /** The failed command as typed, and the kernel's message. */
  failure?: { command: string; message: string };
}

export interface RunHooks {
  /** Called after each batch with the outcomes of its steps. */
  onOutcomes?: (outcomes: StepOutcome[]) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Splits a plan into runs of consecutive `ip` (or `tc`) steps that share a namespace; a sysctl step runs alone. */
export function groupSteps(steps: Step[]): Step[][] {
  const groups: Step[][] = [];
  for (const step of steps) {
    const last = groups[groups.length - 1];
    const same = last && isBatchable(step) && isBatchable(last[0]) && (last[0].program ?? 'ip') === (step.program ?? 'ip') && last[0].netns === step.netns;
    if (same) last.push(step);
    else groups.push([step]);
  }
  return groups;
}

/** Runs one step of a program other than ip, in its namespace (`ip netns exec NS PROGRAM ...`). */
async function runAlone(step: Step, machine: Machine): Promise<IpResult> {
  const argv = stepArgv(step);
  if (argv[0] === 'ip') return runIp(argv.slice(1), undefined, machine);
  return runIn(machine, argv[0], argv.slice(1));
}

const FAILED_LINE = /^Command failed -:(\d+)\s*$/m;

export async function runSteps(steps: Step[], hooks: RunHooks = {}, machine: Machine = REAL_HOST): Promise<RunResult> {
  const outcomes: StepOutcome[] = [];
  let done = 0;
  let failure: RunResult['failure'];
  for (const group of groupSteps(steps)) {
    if (failure) {
      outcomes.push(...group.map((step) => ({ step, status: 'not-run' as const })));
      continue;
    }
    const ns = group[0].netns;
    const program = group[0].program ?? 'ip';
    const args = [...(ns ? ['-n', ns] : []), '-batch', '-'];
    const input = group.map((s) => s.args.join(' ')).join('\n') + '\n';
    const res = !isBatchable(group[0]) ? await runAlone(group[0], machine) : program === 'ip' ? await runIp(args, input, machine) : await runIn(machine, program, args, input);
    let batch: StepOutcome[];
    if (res.code === 0) {
      batch = group.map((step) => ({ step, status: 'ok' }));
    } else {
      const m = FAILED_LINE.exec(res.stderr);
      const failedAt = m ? Number(m[1]) - 1 : 0;
      const message = res.stderr.replace(FAILED_LINE, '').trim() || `${group[0].program ?? 'ip'} exited with code ${res.code}`;
      batch = group.map((step, i) => ({
        step,
        status: i < failedAt ? 'ok' : i === failedAt ? 'error' : 'not-run',
        ...(i === failedAt ? { message } : {}),
      }));
      failure = { command: commandLine(group[failedAt]), message };
    }
    outcomes.push(...batch);
    done += group.length;
    hooks.onOutcomes?.(batch);
    hooks.onProgress?.(done, steps.length);
  }
  return { ok: !failure, outcomes, failure };
}
