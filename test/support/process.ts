/**
 * Processes a test starts or waits on. One it starts runs until it says it is
 * ready. One it expects to end is known by its pid and its start time: on a
 * busy machine (pid_max is 32768 here, and the test files run side by side)
 * a freed pid may soon be another process's: that one must not count as the
 * first still running, or a wait for it to end runs to its deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { processStartTime } from '../../server/machine/lab-machine';
import { isRunning } from '../../server/terminal/process-tree';

export interface WatchedProcess {
  pid: number;
  /** Its start time, in clock ticks since boot (field 22 of /proc/PID/stat). */
  started: number;
}

/** Notes a running process's start time; throws when there is no process `pid`. */
export function watchProcess(pid: number): WatchedProcess {
  const started = processStartTime(pid);
  if (started === undefined) throw new Error(`there is no process ${pid} to watch`);
  return { pid, started };
}

/** It has ended: its pid is free, it is a zombie, or the pid is a process started since. */
export function hasEnded(p: WatchedProcess): boolean {
  return processStartTime(p.pid) !== p.started || !isRunning(p.pid);
}

/** Starts `argv`; resolves once it writes its first output (its word that it is ready), rejects when it exits before. */
export function startReady(argv: string[], opts: { cwd?: string } = {}): Promise<ChildProcess> {
  const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${argv[0]} exited with ${code} before it was ready`)));
  });
}
