/**
 * All lab terminals of one server: opens them inside a node's namespace,
 * routes input, resizes and acknowledgements by terminal id, and ends them
 * when their namespace goes or the server stops. The socket layer calls these
 * methods and forwards the events; client ids are its business (a socket id).
 *
 * Events:
 * - `output(id, data)`: new output of a terminal, for every attached client.
 * - `exit(id, reason)`: a terminal's process ended. A shell terminal is then
 *   gone; a ping terminal stays listed (not alive) with its output until closed.
 * - `list-changed()`: list() changed (opened, ended, removed).
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { TerminalInfo } from './terminal-info';
import { netnsNameProblem } from '../model/names';
import { PING_COUNT, pingCommand, parsePingTarget, SHELL_PATH, shellCommand, shellEnvironment } from './shell-command';
import { labShellArgv, type LabMachine } from '../machine/lab-machine';
import type { KillableGroup } from './terminal-session';
import { DEFAULT_DATA_DIR, prepareShellFiles, type ShellFiles } from './shell-files';
import { ensureShellUser, type ShellUser } from './shell-user';
import { TerminalCgroup } from './terminal-cgroup';
import { TerminalSession, type TerminalStats } from './terminal-session';
import { checkTerminalSize, DEFAULT_COLS, DEFAULT_ROWS } from './terminal-size';

/** Open terminals (live or finished) per server; each live one is a process tree and 256 KiB of scrollback. */
export const MAX_TERMINALS = 64;

/** Where `ip netns add` puts its namespaces (iproute2's NETNS_RUN_DIR). */
const NETNS_RUN_DIR = '/run/netns';

export interface TerminalManagerOptions {
  /** The lab machine the terminals run in (started if needed); without it, the real machine (real-host mode). */
  labMachine?: () => Promise<LabMachine>;
  /** Holds the shells' home and rcfile; default /var/lib/vethlab. */
  dataDir?: string;
  /** The account shells run as; default: ensureShellUser() (vethlab, or nobody). */
  user?: ShellUser;
}

export interface OpenTerminal {
  node: string;
  /** The node's namespace; undefined for the host node (the root namespace). */
  netns?: string;
  /** Run `ping -c 3 TARGET` instead of a shell; TARGET must be an IPv4 or IPv6 address. */
  ping?: string;
  cols?: number;
  rows?: number;
}

export interface TerminalManagerEvents {
  output: [id: string, data: string];
  exit: [id: string, reason: string];
  'list-changed': [];
}

/** A request the manager refuses; its message is meant for the user. */
export class TerminalError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** Where no cgroup can be made: the session and its descendants are still killed. */
const NO_GROUP: KillableGroup = { kill() {}, async killAndRemove() {} };

/** Tells the managers of one process apart in cgroup names (tests run several). */
let managerCount = 0;

export class TerminalManager extends EventEmitter<TerminalManagerEvents> {
  private readonly terminals = new Map<string, TerminalSession>();
  private readonly serial = ++managerCount;
  private nextId = 1;
  private setup: Promise<{ user: ShellUser; files: ShellFiles }> | null = null;

  constructor(private readonly options: TerminalManagerOptions = {}) {
    super();
  }

  /** Starts a terminal and returns its id (`t1`, `t2`, ...). Throws TerminalError for a bad request. */
  async open(request: OpenTerminal): Promise<string> {
    const nodeProblem = netnsNameProblem(request.node);
    if (nodeProblem) throw new TerminalError(`node name "${request.node}" ${nodeProblem}`, 'node');
    const machine = this.options.labMachine ? await this.options.labMachine() : undefined;
    if (request.netns !== undefined) {
      const p = netnsNameProblem(request.netns);
      if (p) throw new TerminalError(`namespace name "${request.netns}" ${p}`, 'netns');
      // Checked here so the user gets a sentence rather than a terminal that dies at once.
      if (!existsSync(`${machine ? machine.machine().netnsDir : NETNS_RUN_DIR}/${request.netns}`)) {
        throw new TerminalError(`namespace ${request.netns} does not exist`, 'netns');
      }
    }
    const size = checkTerminalSize(request.cols ?? DEFAULT_COLS, request.rows ?? DEFAULT_ROWS);
    if ('error' in size) throw new TerminalError(size.error, 'cols');
    let target: string | undefined;
    if (request.ping !== undefined) {
      const parsed = parsePingTarget(request.ping);
      if ('error' in parsed) throw new TerminalError(parsed.error, 'ping');
      target = parsed.target;
    }
    if (this.terminals.size >= MAX_TERMINALS) {
      throw new TerminalError(`at most ${MAX_TERMINALS} terminals may be open; close one first`);
    }
    const id = `t${this.nextId++}`;
    const common = {
      id,
      node: request.node,
      netns: request.netns,
      kind: target === undefined ? ('shell' as const) : ('ping' as const),
      title: target === undefined ? request.node : `${request.node}: ping -c ${PING_COUNT} ${target}`,
      size,
    };
    let session: TerminalSession;
    if (machine) {
      // In the lab machine, as its root, in a cgroup inside the lab's (its limits hold; closing kills all of it).
      const cgroup = machine.cgroup?.child(`t${this.serial}-${id}`);
      cgroup?.createChild();
      const argv = machine.enter(request.netns, labShellArgv(request.node, target === undefined ? undefined : ['ping', '-c', String(PING_COUNT), target]), cgroup?.procsFiles());
      session = new TerminalSession({ ...common, command: { file: argv[0], args: argv.slice(1) }, env: { PATH: SHELL_PATH }, cwd: '/', cgroup: cgroup ?? NO_GROUP });
    } else {
      const { user, files } = await this.prepare();
      session = new TerminalSession({
        ...common,
        command: target === undefined ? shellCommand(request.netns, user, files.rcfile) : pingCommand(request.netns, user, target),
        env: shellEnvironment(files.home, request.node, user),
        cwd: files.home,
        cgroupName: `m${this.serial}-${id}`,
      });
    }
    this.terminals.set(id, session);
    session.on('output', (data) => this.emit('output', id, data));
    session.once('exit', (reason) => {
      // A ping's result stays readable; an ended shell has nothing more to show.
      if (session.kind === 'shell') this.terminals.delete(id);
      this.emit('exit', id, reason);
      this.emit('list-changed');
    });
    this.emit('list-changed');
    return id;
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((t) => t.info());
  }

  /** Adds a client to a terminal and returns its scrollback. Throws TerminalError for an unknown id. */
  attach(id: string, clientId: string, opts: { paced?: boolean } = {}): string {
    return this.get(id).attach(clientId, opts);
  }

  /** The client no longer shows this terminal. */
  detach(id: string, clientId: string): boolean {
    const t = this.terminals.get(id);
    t?.detach(clientId);
    return t !== undefined;
  }

  /** The client is gone (socket disconnected): detach it everywhere. */
  detachClient(clientId: string): void {
    for (const t of this.terminals.values()) t.detach(clientId);
  }

  /** Writes keystrokes (or a paste) to the terminal; false for an unknown or ended terminal. */
  input(id: string, data: string): boolean {
    const t = this.terminals.get(id);
    if (!t?.alive || typeof data !== 'string') return false;
    t.input(data);
    return true;
  }

  /** Resizes; false for an unknown terminal or a size that is not two integers (NaN included). */
  resize(id: string, cols: number, rows: number): boolean {
    const t = this.terminals.get(id);
    const size = checkTerminalSize(cols, rows);
    if (!t || 'error' in size) return false;
    t.resize(size);
    return true;
  }

  /** The client has rendered `chars` more characters of this terminal's output. */
  ack(id: string, clientId: string, chars: number): boolean {
    const t = this.terminals.get(id);
    t?.ack(clientId, chars);
    return t !== undefined;
  }

  /** Ends the terminal (if still running) and removes it. Resolves when no process of it remains. */
  async close(id: string, reason = 'closed'): Promise<boolean> {
    const t = this.terminals.get(id);
    if (!t) return false;
    await t.close(reason);
    if (this.terminals.delete(id)) this.emit('list-changed');
    return true;
  }

  /** Ends every terminal of a node, e.g. because its namespace was deleted. */
  async closeForNode(node: string, reason = `namespace ${node} was deleted`): Promise<void> {
    const ids = [...this.terminals.values()].filter((t) => t.node === node).map((t) => t.id);
    await Promise.all(ids.map((id) => this.close(id, reason)));
  }

  /** Server shutdown: ends every terminal, SIGKILLing what has not ended after the hard cap. */
  async closeAll(reason = 'the server is shutting down'): Promise<void> {
    await Promise.all([...this.terminals.keys()].map((id) => this.close(id, reason)));
  }

  /** Pid, pause state and per-client lag of one terminal, for diagnostics and tests. */
  stats(id: string): TerminalStats {
    return this.get(id).stats();
  }

  private get(id: string): TerminalSession {
    const t = this.terminals.get(id);
    if (!t) throw new TerminalError(`no terminal ${id}`, 'id');
    return t;
  }

  private prepare(): Promise<{ user: ShellUser; files: ShellFiles }> {
    if (!this.setup) {
      const setup = (async () => {
        const user = this.options.user ?? (await ensureShellUser());
        const files = await prepareShellFiles(this.options.dataDir ?? DEFAULT_DATA_DIR, user);
        await TerminalCgroup.sweepStale();
        return { user, files };
      })();
      // A failed setup (a full disk, say) is tried again by the next open.
      setup.catch(() => {
        if (this.setup === setup) this.setup = null;
      });
      this.setup = setup;
    }
    return this.setup;
  }
}
