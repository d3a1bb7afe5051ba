/** CPU time of processes, for the benchmarks that measure idle cost. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time of a (single-threaded) process in milliseconds; 0 once it is gone.
 * /proc/PID/schedstat counts nanoseconds on the CPU exactly; utime+stime in
 * /proc/PID/stat are tick samples, and a tickless kernel all but never
 * samples a reader that wakes for 0.3 ms a second, so they read as zero.
 */
export function processCpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
    } catch {
      return 0;
    }
  }
}

/** CPU time of every thread of a process in milliseconds (node's collector and thread pool with its main thread). */
export function threadsCpuMs(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + processCpuMs(Number(tid)), 0);
  } catch {
    return 0;
  }
}

/** Every process whose parent is `parent`, this one by default (a server's readers and monitors). */
export function children(parent = process.pid): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Proportional set size of a process in KiB (its share of shared pages); 0 once it is gone. */
export function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Memory charged to cgroups (cgroup2 memory.current, or v1 memory.usage_in_bytes), in bytes. */
export function cgroupMemoryBytes(dirs: readonly string[]): number {
  let bytes = 0;
  for (const d of dirs) {
    for (const f of ['memory.current', 'memory.usage_in_bytes']) {
      try {
        bytes += Number(readFileSync(`${d}/${f}`, 'utf8'));
      } catch {
        // This hierarchy has the other file.
      }
    }
  }
  return bytes;
}
