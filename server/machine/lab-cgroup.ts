/**
 * The cgroup of a lab machine: every process of the lab (its PID 1, its
 * shells, whatever they start) is in it, so the lab's limits hold and
 * destroying the lab reaches every process. Groups are made only inside a
 * `vethlab` group of our own, in each hierarchy that is there:
 * - cgroup2 (the unified tree, pure or beside v1): limits where its
 *   controllers are enabled, and cgroup.kill for destroy;
 * - cgroup v1 `pids` and `memory` hierarchies: the limits, on machines that
 *   keep those controllers in v1.
 * Groups we did not make are never moved or written, except enabling a
 * controller in our own `vethlab` group's subtree_control.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * At most this many processes (and threads) per lab: a class's shells, pings
 * and captures use a few dozen; a fork bomb stops here instead of taking the
 * server's machine.
 */
export const LAB_PIDS_MAX = 512;
/** At most this much memory per lab (shells, tmpfs files, captures): 40 labs fit twice in 24 GiB. */
export const LAB_MEMORY_MAX_BYTES = 256 * 1024 * 1024;

/** Our own group in each hierarchy. */
export const VETHLAB_GROUP = 'vethlab';

const CGROUP_ROOT = '/sys/fs/cgroup';
const EMPTY_WAIT_MS = 3000;
const POLL_MS = 10;

export interface Hierarchies {
  /** The cgroup2 mount point, if any (`/sys/fs/cgroup` or `/sys/fs/cgroup/unified`). */
  v2?: string;
  /** v1 mount points of the controllers we limit with. */
  pids?: string;
  memory?: string;
}

/** Reads /proc/self/mountinfo for the cgroup mounts. */
export function findHierarchies(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): Hierarchies {
  const found: Hierarchies = {};
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = left.split(' ')[4];
    const [fstype, , superOptions = ''] = right.split(' ');
    if (!mountPoint.startsWith(CGROUP_ROOT)) continue;
    if (fstype === 'cgroup2') found.v2 ??= mountPoint;
    if (fstype === 'cgroup') {
      const opts = superOptions.split(',');
      if (opts.includes('pids')) found.pids ??= mountPoint;
      if (opts.includes('memory')) found.memory ??= mountPoint;
    }
  }
  return found;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

export class LabCgroup {
  /** Every directory of this lab's group, one per hierarchy. */
  readonly dirs: string[];
  /** The cgroup2 directory, for cgroup.kill and populated. */
  readonly v2Dir?: string;

  constructor(
    readonly name: string,
    readonly hierarchies: Hierarchies = findHierarchies(),
  ) {
    if (!/^[\w-]+(\/[\w-]+)?$/.test(name)) throw new Error(`not a cgroup name: ${JSON.stringify(name)}`);
    const h = hierarchies;
    this.v2Dir = h.v2 ? path.join(h.v2, VETHLAB_GROUP, name) : undefined;
    this.dirs = [this.v2Dir, h.pids && path.join(h.pids, VETHLAB_GROUP, name), h.memory && path.join(h.memory, VETHLAB_GROUP, name)].filter(
      (d): d is string => typeof d === 'string' && d !== '',
    );
  }

  /** A group inside this one (a terminal's), which the lab's limits cover. */
  child(name: string): LabCgroup {
    return new LabCgroup(`${this.name}/${name}`, this.hierarchies);
  }

  /** Makes the groups of a child; the parent's limits hold for it. */
  createChild(): void {
    for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
  }

  /** Makes the groups and sets the limits. Returns what could not be limited, for a warning. */
  create(): string[] {
    const h = this.hierarchies;
    const missing: string[] = [];
    if (h.v2) {
      const own = path.join(h.v2, VETHLAB_GROUP);
      mkdirSync(own, { recursive: true });
      // Controllers the parent offers are enabled for our own children only.
      const offered = readText(path.join(own, 'cgroup.controllers')).split(/\s+/);
      for (const c of ['pids', 'memory']) if (offered.includes(c)) tryWrite(path.join(own, 'cgroup.subtree_control'), `+${c}`);
    }
    for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
    const pidsDone =
      (this.v2Dir !== undefined && tryWrite(path.join(this.v2Dir, 'pids.max'), String(LAB_PIDS_MAX))) ||
      (h.pids !== undefined && tryWrite(path.join(h.pids, VETHLAB_GROUP, this.name, 'pids.max'), String(LAB_PIDS_MAX)));
    const memoryDone =
      (this.v2Dir !== undefined && tryWrite(path.join(this.v2Dir, 'memory.max'), String(LAB_MEMORY_MAX_BYTES))) ||
      (h.memory !== undefined && tryWrite(path.join(h.memory, VETHLAB_GROUP, this.name, 'memory.limit_in_bytes'), String(LAB_MEMORY_MAX_BYTES)));
    if (!pidsDone) missing.push('pids');
    if (!memoryDone) missing.push('memory');
    return missing;
  }

  /** The cgroup.procs files a process writes its pid to, to join the lab. */
  procsFiles(): string[] {
    return this.dirs.map((d) => path.join(d, 'cgroup.procs'));
  }

  exists(): boolean {
    return this.dirs.some((d) => existsSync(d));
  }

  /**
   * Every process of the lab: in its groups and in the groups inside them (a
   * terminal's). A group's cgroup.procs lists only its own.
   */
  pids(): number[] {
    const all = new Set<number>();
    const visit = (dir: string) => {
      for (const line of readText(path.join(dir, 'cgroup.procs')).split('\n')) if (line) all.add(Number(line));
      for (const child of subgroups(dir)) visit(path.join(dir, child));
    };
    for (const d of this.dirs) visit(d);
    return [...all];
  }

  /** The limit on processes in force, as the kernel reports it. */
  pidsMax(): string | undefined {
    for (const d of this.dirs) {
      const v = readText(path.join(d, 'pids.max')).trim();
      if (v) return v;
    }
    return undefined;
  }

  /** SIGKILLs every process of the lab. */
  kill(): void {
    if (this.v2Dir && tryWrite(path.join(this.v2Dir, 'cgroup.kill'), '1')) return;
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** For a terminal: kill, wait, remove (the name TerminalSession uses). */
  async killAndRemove(): Promise<void> {
    await this.destroy().catch(() => undefined);
  }

  /**
   * Kills everything, waits for the groups to empty, removes them. Resolves
   * true when they are gone; false when they are empty but still refuse to
   * go, so a caller keeps what lets a later sweep find them.
   */
  async destroy(): Promise<boolean> {
    const deadline = Date.now() + EMPTY_WAIT_MS;
    for (;;) {
      this.kill();
      // An empty cgroup.procs may still refuse rmdir (EBUSY) while its last tasks finish exiting: tried again.
      if (this.pids().length === 0 && this.dirs.map((d) => removeTree(d)).every(Boolean)) return true;
      if (Date.now() > deadline) {
        if (this.pids().length > 0) throw new Error(`the processes of cgroup ${this.name} did not end within ${EMPTY_WAIT_MS} ms`);
        return false;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** The groups inside a group (none when it is not there). */
function subgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** rmdir of a cgroup and its (empty) children, deepest first; whether it is gone. */
function removeTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  for (const e of subgroups(dir)) removeTree(path.join(dir, e));
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return !existsSync(dir);
  }
}
