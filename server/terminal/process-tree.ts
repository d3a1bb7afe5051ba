/**
 * Finding and killing every process a terminal started. The pty's child is a
 * session leader (node-pty calls setsid), but an interactive bash puts each
 * job in its own process group, and a job may detach into its own session;
 * so a terminal's processes are its session plus all their descendants.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  /** One letter as in ps: R, S, D, Z, T, ... */
  state: string;
}

/** Every process visible in /proc; ones that end while being read are skipped. */
export function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcess(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}

export function readProcess(pid: number): ProcessEntry | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
  };
}

/** True while the process exists and is not a zombie (a zombie has ended and holds nothing). */
export function isRunning(pid: number): boolean {
  const p = readProcess(pid);
  return p !== null && p.state !== 'Z';
}

/** Live processes in the session or process group `leader`, and all their descendants. */
export function terminalProcesses(leader: number, processes: ProcessEntry[] = listProcesses()): number[] {
  const found = new Set<number>();
  for (const p of processes) {
    if (p.pid === leader || p.session === leader || p.pgrp === leader) found.add(p.pid);
  }
  let grew = found.size > 0;
  while (grew) {
    grew = false;
    for (const p of processes) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  const live = new Set(processes.filter((p) => p.state !== 'Z').map((p) => p.pid));
  return [...found].filter((pid) => live.has(pid) && pid !== process.pid).sort((a, b) => a - b);
}

/** Signals the process group and every process of the terminal; returns how many were signalled. */
export function signalTerminal(leader: number, signal: NodeJS.Signals): number {
  try {
    process.kill(-leader, signal);
  } catch {
    // The group is already gone; its members may not be.
  }
  let count = 0;
  for (const pid of terminalProcesses(leader)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // Ended meanwhile.
    }
  }
  return count;
}

/** Passes of SIGKILL; a process forking while the first pass runs is caught by a later one. */
const KILL_PASSES = 5;

/** SIGKILLs the terminal's processes until none is left (or KILL_PASSES is spent). */
export function killTerminal(leader: number): void {
  for (let i = 0; i < KILL_PASSES; i++) {
    if (signalTerminal(leader, 'SIGKILL') === 0) return;
  }
}
