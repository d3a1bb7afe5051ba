/**
 * Executes a plan: consecutive steps of one program in the same namespace go
 * to one `ip [-n NS] -batch -` (or `tc [-n NS] -batch -`), so a plan costs
 * one process per namespace, not one per command. On the first failing command it stops, and says which command
 * failed and what the kernel answered.
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { openBatchFiles } from './batch-files';
import { BATCH_FAILED_LINE, runIn, runIp, type IpResult } from './ip';
import { ipIn, REAL_HOST, type Machine } from './machine';
import type { NamespaceReaders } from './namespace-readers';
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
  /** Called at the start (0 done) and after each wave, when the run has more than one wave. */
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


/**
 * How many `ip` processes share a wave of namespace batches: one per core of
 * this 2-core machine. Starting a process from node is the expensive part (a
 * fork of the whole node process, about 4 ms, on the main thread), so a wave
 * is not one node spawn per namespace: one `ip -batch -` runs
 * `netns exec NS ip -batch /dev/fd/N` for each, which forks a small process
 * (the nested batch is an open file passed as descriptor N).
 */
export const PARALLEL_BATCHES = 2;

/** `items` in PARALLEL_BATCHES consecutive runs of (nearly) equal length, in order, none empty. */
function shares<T>(items: T[]): T[][] {
  const size = Math.ceil(items.length / PARALLEL_BATCHES);
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * Splits groups into waves that may run at once: consecutive groups, each in
 * a namespace of its own (never the root, which the others depend on, and
 * never a namespace twice, whose order matters).
 */
export function waves(groups: Step[][]): Step[][][] {
  const out: Step[][][] = [];
  for (const group of groups) {
    const ns = group[0].netns;
    const last = out[out.length - 1];
    const joinable = ns !== undefined && last !== undefined && last[0][0].netns !== undefined && !last.some((g) => g[0].netns === ns);
    if (joinable) last.push(group);
    else out.push([group]);
  }
  return out;
}

type GroupResult = { outcomes: StepOutcome[]; failure?: RunResult['failure'] };

/** A batch's lines: the words after the program, one command a line. */
function batchText(group: Step[]): string {
  return group.map((s) => s.args.join(' ')).join('\n') + '\n';
}

/** Outcomes of steps run in order: all ok, or ok up to `failed.at`, that one an error, the rest not run. */
function settled(steps: Step[], failed?: { at: number; message: string }): GroupResult {
  if (!failed) return { outcomes: steps.map((step) => ({ step, status: 'ok' })) };
  const { at, message } = failed;
  return {
    outcomes: steps.map((step, i) => ({ step, status: i < at ? 'ok' : i === at ? 'error' : 'not-run', ...(i === at ? { message } : {}) })),
    failure: { command: commandLine(steps[at]), message },
  };
}

async function runGroup(group: Step[], machine: Machine): Promise<GroupResult> {
  const ns = group[0].netns;
  const program = group[0].program ?? 'ip';
  const args = [...(ns ? ['-n', ns] : []), '-batch', '-'];
  const input = batchText(group);
  const res = !isBatchable(group[0]) ? await runAlone(group[0], machine) : program === 'ip' ? await runIp(args, input, machine) : await runIn(machine, program, args, input);
  if (res.code === 0) return settled(group);
  const m = BATCH_FAILED_LINE.exec(res.stderr);
  return settled(group, { at: m ? Number(m[1]) - 1 : 0, message: res.stderr.replace(BATCH_FAILED_LINE, '').trim() || `${program} exited with code ${res.code}` });
}

const NESTED_FAILED = /^Command failed (\S+):(\d+)\s*$/m;
/** The first file descriptor of the nested batches (0-2 are stdio). */
const FIRST_FD = 3;

/** `ip -batch -` in the machine, with each of `inputs` readable as /dev/fd/N from FIRST_FD on. */
async function runIpWithFds(machine: Machine, lines: string[], inputs: string[]): Promise<IpResult> {
  const fds = openBatchFiles(inputs);
  try {
    const { file, args } = ipIn(machine, ['-batch', '-']);
    return await new Promise((resolve, reject) => {
      const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe', ...fds] });
      const err: Buffer[] = [];
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: '', stderr: Buffer.concat(err).toString('utf8') }));
      child.stdin!.on('error', () => {});
      child.stdin!.end(lines.join('\n') + '\n');
    });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/**
 * Runs the groups of a wave (each in its own namespace) through one
 * `ip -batch -`: each group is a line `netns exec NS ip -batch /dev/fd/N` (or
 * `tc`, or a `sysctl` itself) whose commands come on a descriptor of their own. It
 * stops at the first failing line, like a plain batch; the nested `ip` names
 * the failing line of its own batch.
 */
async function runChunk(chunk: Step[][], machine: Machine): Promise<GroupResult> {
  const lines: string[] = [];
  const inputs: string[] = [];
  for (const group of chunk) {
    const ns = group[0].netns!;
    const program = group[0].program ?? 'ip';
    if (!isBatchable(group[0])) {
      lines.push(['netns', 'exec', ns, program, ...group[0].args].join(' '));
      continue;
    }
    lines.push(['netns', 'exec', ns, program, '-batch', `/dev/fd/${FIRST_FD + inputs.length}`].join(' '));
    inputs.push(batchText(group));
  }
  const res = await runIpWithFds(machine, lines, inputs);
  const steps = chunk.flat();
  if (res.code === 0) return settled(steps);
  // The root batch names the failing group's line; the nested one, the line within it.
  const top = BATCH_FAILED_LINE.exec(res.stderr);
  const failedGroup = top ? Number(top[1]) - 1 : 0;
  const inner = res.stderr.replace(BATCH_FAILED_LINE, '');
  const nested = NESTED_FAILED.exec(inner);
  const group = chunk[failedGroup];
  const before = chunk.slice(0, failedGroup).reduce((n, g) => n + g.length, 0);
  return settled(steps, { at: before + (nested ? Number(nested[2]) - 1 : 0), message: inner.replace(NESTED_FAILED, '').trim() || `${group[0].program ?? 'ip'} in ${group[0].netns} failed` });
}

/** At least this many `netns add` lines at the head of a root batch are split (below, one process is quicker). */
export const SPLIT_NETNS_ADDS = 8;

/** How many steps at the head of a root group are `ip netns add`. */
function leadingNetnsAdds(group: Step[]): number {
  let n = 0;
  while (n < group.length && group[n].netns === undefined && (group[n].program ?? 'ip') === 'ip' && group[n].args[0] === 'netns' && group[n].args[1] === 'add') n++;
  return n;
}

const notRun = (steps: Step[]): StepOutcome[] => steps.map((step) => ({ step, status: 'not-run' }));

/**
 * A root batch. Its leading `netns add` lines each make a namespace of their
 * own, none needing another, so PARALLEL_BATCHES processes share them: a
 * hundred took 74-79 ms so, against 124-141 ms in one. The first runs alone,
 * since it may turn /run/netns into a mount point, which two `ip` at once
 * would each do. The rest of the batch follows. As in a wave, a failure in
 * one process leaves the other to finish, and nothing after them runs.
 */
async function runRootGroup(group: Step[], machine: Machine): Promise<GroupResult> {
  const adds = leadingNetnsAdds(group);
  if (adds < SPLIT_NETNS_ADDS) return runGroup(group, machine);
  const first = await runGroup(group.slice(0, 1), machine);
  if (first.failure) return { outcomes: [...first.outcomes, ...notRun(group.slice(1))], failure: first.failure };
  const rest = group.slice(1, adds);
  const results = await Promise.all(shares(rest).map((chunk) => runGroup(chunk, machine)));
  const outcomes = [...first.outcomes, ...results.flatMap((r) => r.outcomes)];
  const failure = results.find((r) => r.failure)?.failure;
  const tail = group.slice(adds);
  if (failure || tail.length === 0) return { outcomes: [...outcomes, ...notRun(tail)], failure };
  const after = await runGroup(tail, machine);
  return { outcomes: [...outcomes, ...after.outcomes], failure: after.failure };
}

/** A group run through its namespace's running reader, which costs no process start. */
async function runWithReader(group: Step[], readers: NamespaceReaders): Promise<GroupResult> {
  const r = await readers.execute(group[0].netns!, group.map((s) => s.args.join(' ')));
  return r.ok ? settled(group) : settled(group, { at: r.failedAt, message: r.message });
}

/**
 * A wave of namespaces: through their running readers when every one has
 * one (an edit of a lab the server watches), else split over
 * PARALLEL_BATCHES `ip` processes run at once; outcomes in plan order.
 */
async function runWave(wave: Step[][], machine: Machine, readers?: NamespaceReaders): Promise<GroupResult> {
  const viaReaders = readers !== undefined && wave.every((g) => g[0].netns !== undefined && (g[0].program ?? 'ip') === 'ip' && readers.has(g[0].netns));
  if (viaReaders) {
    const results = await Promise.all(wave.map((g) => runWithReader(g, readers)));
    const firstFailed = results.findIndex((r) => r.failure);
    // A batch that failed stops the plan; those after it in the wave ran anyway (at once), and say so.
    return { outcomes: results.flatMap((r) => r.outcomes), failure: firstFailed < 0 ? undefined : results[firstFailed].failure };
  }
  if (wave.length === 1) return wave[0][0].netns === undefined ? runRootGroup(wave[0], machine) : runGroup(wave[0], machine);
  const results = await Promise.all(shares(wave).map((chunk) => runChunk(chunk, machine)));
  return { outcomes: results.flatMap((r) => r.outcomes), failure: results.find((r) => r.failure)?.failure };
}

/**
 * Runs a plan in order, wave by wave. On the first failing command it stops:
 * the other `ip` process of the same wave runs to its end (and is reported as
 * it ran), nothing after the wave starts. Outcomes are reported in plan order.
 */
export async function runSteps(steps: Step[], hooks: RunHooks = {}, machine: Machine = REAL_HOST, readers?: NamespaceReaders): Promise<RunResult> {
  const outcomes: StepOutcome[] = [];
  let done = 0;
  let failure: RunResult['failure'];
  const all = waves(groupSteps(steps));
  // A run of one wave is over as soon as it starts: progress is for longer work.
  const report = all.length > 1 ? hooks.onProgress : undefined;
  report?.(0, steps.length);
  for (const wave of all) {
    if (failure) {
      outcomes.push(...notRun(wave.flat()));
      continue;
    }
    const r = await runWave(wave, machine, readers);
    failure ??= r.failure;
    outcomes.push(...r.outcomes);
    done += r.outcomes.length;
    hooks.onOutcomes?.(r.outcomes);
    report?.(done, steps.length);
  }
  return { ok: !failure, outcomes, failure };
}
