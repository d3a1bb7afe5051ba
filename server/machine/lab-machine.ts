/**
 * A lab machine: a user + mount + network + PID (+ UTS, IPC) namespace set
 * in a cgroup of its own, with a PID 1 (lab-init.sh) that keeps it alive
 * across restarts of the server and the CLI. Root inside is an unprivileged
 * id range outside (id-slots.ts). Small surface: ensure (create if needed),
 * enter (argv for a command inside), destroy, and what it is (`machine`).
 *
 * Crash consistency: the record (machine.json in the lab's directory) names
 * the id slot and the cgroup before either is made, and every process of the
 * lab joins the cgroup before it unshares anything, so whatever a kill -9
 * interrupts, the next ensure or destroy finds it through the record.
 *
 * Why a PID 1 and not only pinned namespace files: a PID namespace dies with
 * its first process, so something must live in it; bind-mounting the other
 * namespaces would add mounts to clean up without keeping the PID namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabCgroup } from './lab-cgroup';
import { holdLabLock } from './lab-lock';
import { claimSlot, rangeOf, releaseSlot, slots } from './id-slots';
import type { Machine } from '../kernel/machine';

const INIT_SCRIPT = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'lab-init.sh'), 'utf8');
const RECORD_FILE = 'machine.json';
/** How long a new machine may take to report ready before creation is abandoned. */
export const MACHINE_START_TIMEOUT_MS = 10_000;

/** Directories of the real machine that a lab never sees (empty ones cover them), besides its own /tmp, /run and home. */
export const HIDDEN_DIRS = ['/home', '/srv', '/mnt', '/media', '/opt/vethlab', '/var/log', '/var/lib/vethlab', '/var/backups', '/var/mail', '/var/spool'];

/**
 * Joins the cgroups named before `--` (as the real root, before anything is
 * unshared), closes every inherited file descriptor above 2 (nothing of the
 * server's reaches the lab), then runs the rest.
 */
const JOIN_AND_EXEC = `while [ "$1" != -- ]; do echo $$ > "$1" || exit 1; shift; done; shift
for fd in /proc/$$/fd/*; do fd=\${fd##*/}; case $fd in ''|*[!0-9]*) continue;; esac; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
exec "$@"`;

export interface MachineRecord {
  /** Unique per lab machine ever made: names the cgroup and owns the id slot. */
  key: string;
  slot: number;
  cgroup: string;
  /** PID 1 of the machine, as the real machine numbers it, and its start time (ticks since boot) against pid reuse. */
  pid?: number;
  startTime?: number;
}

export interface LabMachineOptions {
  /** The lab's directory (holds machine.json). */
  dir: string;
  /** The lab's name: the machine's host name. */
  name: string;
  /** More directories to hide from the lab (the data directory). */
  hide?: string[];
}

function readRecord(dir: string): MachineRecord | undefined {
  try {
    const raw = JSON.parse(readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as Partial<MachineRecord>;
    if (typeof raw.key === 'string' && /^[0-9a-f]{8,32}$/.test(raw.key) && Number.isInteger(raw.slot) && typeof raw.cgroup === 'string' && /^[\w-]+$/.test(raw.cgroup)) {
      return raw as MachineRecord;
    }
  } catch {
    // Missing or torn: nothing to find.
  }
  return undefined;
}

function writeRecord(dir: string, record: MachineRecord | undefined): void {
  const file = path.join(dir, RECORD_FILE);
  if (!record) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Field 22 of /proc/PID/stat: when the process started; undefined when it is
 * gone. A zombie is gone too: it has ended and let go of its namespaces, and
 * only waits for its parent to read its status (a machine's PID 1 killed by
 * a destroy, until the one that made it, or init, reaps it).
 */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : Number(fields[19]);
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * The children of single-threaded process `pid`, as the kernel lists them
 * (/proc/PID/task/PID/children); where it does not, by a scan of every
 * process's parent, which costs a read per process on the machine (a class
 * of 30 labs polls this while each machine starts).
 */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(`/proc/${pid}`)) return [];
  }
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => parentOf(p) === pid);
}

function userNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LabMachine {
  readonly dir: string;
  readonly name: string;
  private readonly hide: string[];
  private record?: MachineRecord;

  constructor(opts: LabMachineOptions) {
    this.dir = opts.dir;
    this.name = opts.name;
    this.hide = [...HIDDEN_DIRS, ...(opts.hide ?? [])];
    this.record = readRecord(this.dir);
  }

  /**
   * PID 1 of the machine when it is running, else undefined. When the one
   * this object knew is gone, the record is read again: another process
   * (the CLI, the server) may have made the machine anew.
   */
  get pid(): number | undefined {
    const alive = (r: MachineRecord | undefined) => (r?.pid !== undefined && r.startTime !== undefined && processStartTime(r.pid) === r.startTime ? r.pid : undefined);
    const known = alive(this.record);
    if (known !== undefined) return known;
    this.record = readRecord(this.dir);
    return alive(this.record);
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** The cgroup of the machine, when one was recorded. */
  get cgroup(): LabCgroup | undefined {
    return this.record ? new LabCgroup(this.record.cgroup) : undefined;
  }

  /** What the kernel adapters need: how to run `ip` inside and where the lab's /run/netns is. */
  machine(): Machine {
    const machine = this.machineIfRunning();
    if (!machine) throw new Error(`lab machine ${this.name} is not running`);
    return machine;
  }

  /** The same, or undefined when the machine is not running: one look at its PID 1, where `running` and `machine()` take two. */
  machineIfRunning(): Machine | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    const enter = ['nsenter', `--target=${pid}`, '--user', '--mount', '--net'];
    return { exec: [...enter, '--pid', '--'], observe: [...enter, '--'], netnsDir: `/proc/${pid}/root/run/netns`, confined: true };
  }

  /**
   * argv for a command a person runs in the lab (a shell, `vethlab exec`):
   * the lab's PID namespace too, its root and home (PID 1's working directory), descriptors closed, in
   * the lab's cgroup (or `cgroupProcs`, a group inside it). `node` undefined
   * is the lab machine itself; else `ip netns exec NODE` inside it.
   */
  enter(node: string | undefined, argv: string[], cgroupProcs?: string[]): string[] {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`lab machine ${this.name} is not running`);
    const procs = cgroupProcs ?? this.cgroup?.procsFiles() ?? [];
    return [
      'bash', '-c', JOIN_AND_EXEC, 'vethlab-enter', ...procs, '--',
      'nsenter', `--target=${pid}`, '--user', '--mount', '--net', '--pid', '--uts', '--ipc', '--root', '--wd', '--',
      ...(node === undefined ? [] : ['ip', 'netns', 'exec', node]),
      ...argv,
    ];
  }

  /**
   * Calls `onChange` whenever the machine's record changes on disk: another
   * process (a CLI's apply, exec or destroy) may have made or ended the
   * machine. One inotify watch on the lab's directory, no polling. Returns
   * the function that stops watching.
   */
  watchRecord(onChange: () => void): () => void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const watcher: FSWatcher = watch(this.dir, { persistent: false }, (_type, name) => {
      if (name === null || name === RECORD_FILE) onChange();
    });
    // The directory was deleted (the lab with it): nothing more to follow.
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  }

  /** The start under way: a second ensure() meanwhile waits for it instead of making a machine of its own. */
  private starting?: Promise<boolean>;

  /**
   * Starts the machine unless it is running. Returns true when this call made
   * a new one; a call made while another is starting it waits for that one
   * (and fails with it) and returns false.
   */
  ensure(): Promise<boolean> {
    if (this.starting) return this.starting.then(() => false);
    if (this.running) return Promise.resolve(false);
    this.starting = this.make().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Makes the machine under the lab's machine lock (lab-lock.ts), so that two
   * processes (the server and `vethlab exec`, say) never make one each: the
   * one that waited finds the other's running.
   */
  private async make(): Promise<boolean> {
    const unlock = await holdLabLock(this.dir, 'machine');
    try {
      this.record = readRecord(this.dir);
      if (this.running) return false;
      return await this.makeLocked();
    } finally {
      unlock();
    }
  }

  private async makeLocked(): Promise<boolean> {
    await this.cleanUp();
    const key = randomBytes(8).toString('hex');
    const record: MachineRecord = { key, slot: claimSlot(key, undefined, this.dir), cgroup: `lab-${key}` };
    // Recorded before the cgroup or any process exists.
    this.record = record;
    writeRecord(this.dir, record);
    try {
      const cgroup = new LabCgroup(record.cgroup);
      cgroup.create();
      const { pid, startTime } = await this.start(record, cgroup);
      this.record = { ...record, pid, startTime };
      writeRecord(this.dir, this.record);
    } catch (e) {
      await this.cleanUp();
      throw e;
    }
    return true;
  }

  /** Ends every process of the machine, which frees its namespaces, and forgets it. */
  async destroy(): Promise<void> {
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    const r = this.record ?? readRecord(this.dir);
    if (!r) return;
    const pid = r.pid !== undefined && r.startTime !== undefined && processStartTime(r.pid) === r.startTime ? r.pid : undefined;
    // PID 1 first: the kernel then ends everything in the PID namespace.
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    const cgroup = new LabCgroup(r.cgroup);
    // Groups that would not go keep their id slot, so the orphan sweep finds and removes them later.
    if (await cgroup.destroy()) releaseSlot(r.slot, r.key);
    this.record = undefined;
    writeRecord(this.dir, undefined);
  }

  private async start(record: MachineRecord, cgroup: LabCgroup): Promise<{ pid: number; startTime: number }> {
    const range = rangeOf(record.slot);
    // 1. A user namespace, held open by a process waiting on its stdin, so
    //    the server (real root) can write its id maps before anything runs as root inside.
    const holder = spawn('unshare', ['--user', '--', 'sh', '-c', 'read x'], { stdio: ['pipe', 'ignore', 'pipe'] });
    holder.stdin!.on('error', () => {}); // it may be gone (a failed start) when it is told to end
    try {
      await this.waitFor(() => holder.pid !== undefined && userNamespaceOf(holder.pid) !== undefined && userNamespaceOf(holder.pid) !== userNamespaceOf(process.pid), 'its user namespace');
      const map = `0 ${range.first} ${range.count}\n`;
      writeFileSync(`/proc/${holder.pid}/uid_map`, map);
      writeFileSync(`/proc/${holder.pid}/gid_map`, map);
      // 2. Join the cgroup and unshare a mount, PID and network namespace, as the real
      //    root: lab-init.sh makes the lab's mounts there, then enters the user
      //    namespace as its root and unshares the lab's own namespaces.
      const argv = [
        '-c', JOIN_AND_EXEC, 'vethlab-start', ...cgroup.procsFiles(), '--',
        'unshare', '--mount', '--pid', '--net', '--fork', '--propagation', 'private', '--',
        'bash', '-c', INIT_SCRIPT, 'vethlab-init', this.name, String(holder.pid), ...this.hide,
      ];
      // Detached: the machine outlives the server and the CLI.
      const child = spawn('bash', argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      child.unref();
      await this.waitReady(child);
      const outer = child.pid!;
      let init: number | undefined;
      await this.waitFor(() => (init = childrenOf(outer)[0]) !== undefined, 'its first process');
      const startTime = processStartTime(init!);
      if (startTime === undefined) throw new Error(`lab machine ${this.name} stopped right after it started`);
      return { pid: init!, startTime };
    } finally {
      holder.stdin?.end('\n');
      holder.kill('SIGKILL');
    }
  }

  private waitReady(child: ChildProcess): Promise<void> {
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => done(new Error(`lab machine ${this.name} did not start within ${MACHINE_START_TIMEOUT_MS} ms: ${err.trim()}`)), MACHINE_START_TIMEOUT_MS);
      const done = (e?: Error) => {
        clearTimeout(timer);
        child.stdout!.destroy();
        child.stderr!.destroy();
        child.removeAllListeners('exit');
        if (e) reject(e);
        else resolve();
      };
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('ready\n')) done();
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (err.length < 4096) err += d;
      });
      child.once('exit', (code) => done(new Error(`lab machine ${this.name} could not be started (exit ${code}): ${err.trim()}`)));
    });
  }

  private async waitFor(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + MACHINE_START_TIMEOUT_MS;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`lab machine ${this.name}: ${what} did not appear within ${MACHINE_START_TIMEOUT_MS} ms`);
      await sleep(2);
    }
  }
}

/** A slot younger than this may belong to a machine being made, whose record is not written yet. */
const ORPHAN_GRACE_MS = 60_000;

/**
 * Ends lab machines whose lab is gone: the lab directory noted with their id
 * range no longer records them (deleted by hand, or a test's temporary data
 * directory removed while the machine ran). Also frees what a machine that
 * died left (its first process killed): its groups and its id range, which
 * only a new start in that same lab directory would otherwise free. Returns
 * how many were ended. `only` limits the sweep to the machines of these keys
 * (a test's own, with a `now` past the grace period).
 */
export async function endOrphanMachines(now = Date.now(), only?: ReadonlySet<string>): Promise<number> {
  let ended = 0;
  for (const s of slots()) {
    if (only && !only.has(s.owner)) continue;
    if (!s.note || now - s.claimedAt < ORPHAN_GRACE_MS) continue;
    const record = readRecord(s.note);
    const dead = record?.pid !== undefined && processStartTime(record.pid) !== record.startTime;
    if (record?.key === s.owner && !dead) continue;
    try {
      if (!(await new LabCgroup(`lab-${s.owner}`).destroy())) continue; // its groups would not go yet
    } catch {
      continue; // still dying; the next sweep gets it, and its id range stays claimed until then
    }
    releaseSlot(s.slot, s.owner);
    ended++;
  }
  return ended;
}

/** PATH inside a lab: its own `sudo` first. */
export const LAB_PATH = '/run/vethlab/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A lab shell's command, after `enter`: a clean environment (nothing of the
 * server's), the prompt naming the node, bash reading the lab's rcfile.
 * `program` instead of a shell runs that (a ping terminal, `vethlab exec`).
 */
export function labShellArgv(node: string, program?: string[]): string[] {
  const env = ['env', '-i', `PATH=${LAB_PATH}`, 'TERM=xterm-256color', 'LANG=C.UTF-8', 'HOME=/root', 'USER=root', 'LOGNAME=root', 'SHELL=/bin/bash', `VETHLAB_NODE=${node}`];
  return [...env, ...(program ?? ['bash', '--rcfile', '/run/vethlab/bashrc', '-i'])];
}
