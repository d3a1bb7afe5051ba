/**
 * A process a test expects to end, known by its pid and its start time. On a
 * busy machine (pid_max is 32768 here, and the test files run side by side)
 * a freed pid may soon be another process's: that one must not count as the
 * first still running, or a wait for it to end runs to its deadline.
 */
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
