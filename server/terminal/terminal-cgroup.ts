/**
 * A cgroup (v2) per terminal, so that ending a terminal reaches every process
 * it started, also one that left the shell's session and was re-parented to
 * init (`setsid sleep 1000 &`, a double fork). The shell user cannot move
 * itself out: cgroup.procs files belong to root. Where no cgroup2 hierarchy is
 * writable (a container with a read-only /sys/fs/cgroup), terminals go without
 * and only the session and its descendants are killed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The directory, under the server's own cgroup, that holds one cgroup per terminal. */
const PARENT_NAME = 'vethlab-terminals';

/** How long killAndRemove waits for the processes to die before giving up on the rmdir. */
export const CGROUP_EMPTY_WAIT_MS = 2000;
const POLL_MS = 10;

/** The cgroup2 directory this process is in, or null when there is no cgroup2 mount. */
function ownCgroupDir(): string | null {
  let mountPoint: string | null = null;
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (right?.startsWith('cgroup2 ')) {
        mountPoint = left.split(' ')[4];
        break;
      }
    }
    if (!mountPoint) return null;
    const own = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
      ?.slice(3);
    // "/.." and friends appear when this process's cgroup is outside the mount's namespace view.
    const relative = own && !own.includes('..') ? own : '/';
    return path.join(mountPoint, relative);
  } catch {
    return null;
  }
}

let parentDir: string | null | undefined;

/** `<own cgroup>/vethlab-terminals`, created on first use; null when that is not possible. */
function terminalsParent(): string | null {
  if (parentDir !== undefined) return parentDir;
  const own = ownCgroupDir();
  parentDir = null;
  if (!own) return null;
  const dir = path.join(own, PARENT_NAME);
  try {
    mkdirSync(dir, { recursive: true });
    if (existsSync(path.join(dir, 'cgroup.procs'))) parentDir = dir;
  } catch {
    // Read-only cgroup file system, or not root.
  }
  return parentDir;
}

/** Whether terminals get a cgroup each on this machine. */
export function terminalCgroupsAvailable(): boolean {
  return terminalsParent() !== null;
}

export class TerminalCgroup {
  private constructor(readonly dir: string) {}

  /**
   * A new, empty cgroup named after this server's pid and `name` (unique within
   * the process); null when cgroups cannot be used here.
   */
  static create(name: string): TerminalCgroup | null {
    const parent = terminalsParent();
    if (!parent) return null;
    const dir = path.join(parent, `${process.pid}-${name}`);
    try {
      mkdirSync(dir);
      return new TerminalCgroup(dir);
    } catch {
      return null;
    }
  }

  /** Kills and removes cgroups left by servers that are no longer running. */
  static async sweepStale(): Promise<void> {
    const parent = terminalsParent();
    if (!parent) return;
    for (const name of readdirSync(parent)) {
      const m = /^(\d+)-[\w-]+$/.exec(name);
      if (!m || existsSync(`/proc/${m[1]}`)) continue;
      await new TerminalCgroup(path.join(parent, name)).killAndRemove();
    }
  }

  /** Moves a process (and so its future children) into this cgroup. */
  add(pid: number): boolean {
    try {
      writeFileSync(path.join(this.dir, 'cgroup.procs'), String(pid));
      return true;
    } catch {
      return false;
    }
  }

  pids(): number[] {
    try {
      return readFileSync(path.join(this.dir, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  private populated(): boolean {
    try {
      return /^populated 1$/m.test(readFileSync(path.join(this.dir, 'cgroup.events'), 'utf8'));
    } catch {
      return false;
    }
  }

  /** SIGKILLs every process in the cgroup (cgroup.kill, Linux 5.14+; else one by one). */
  kill(): void {
    try {
      writeFileSync(path.join(this.dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // Older kernel: signal each member.
    }
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Kills everything in the cgroup, waits until it is empty, and removes it. */
  async killAndRemove(waitMs: number = CGROUP_EMPTY_WAIT_MS): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      this.kill();
      if (!this.populated()) break;
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      rmdirSync(this.dir);
    } catch {
      // Already removed, or a process is still on its way out; sweepStale gets it later.
    }
  }
}
