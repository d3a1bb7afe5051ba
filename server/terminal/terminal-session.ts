/**
 * One terminal: a pty running a lab shell (or a ping), its scrollback, output
 * batching and flow control, and its shutdown. Knows nothing of sockets: the
 * manager forwards its events.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import * as pty from 'node-pty';
import type { TerminalInfo } from './terminal-info';
import { AckFlowControl } from './flow-control';
import { OutputBatcher } from './output-batcher';
import { killTerminal, signalTerminal } from './process-tree';
import { Scrollback } from './scrollback';
import { TerminalCgroup } from './terminal-cgroup';
import type { Command } from './shell-command';
import type { TerminalSize } from './terminal-size';

/**
 * How long a closing terminal gets to end after SIGHUP before its processes
 * are SIGKILLed. bash exits at once on SIGHUP; the cap is for programs that
 * ignore it, and it bounds how long a server shutdown takes.
 */
export const CLOSE_HARD_CAP_MS = 1000;

/**
 * Input characters that make the terminal's line discipline signal the
 * foreground job and discard pending output (ISIG without NOFLSH): Ctrl-C,
 * Ctrl-\ and Ctrl-Z.
 */
const INTERRUPT_CHARS = /[\x03\x1c\x1a]/;

export type TerminalKind = 'shell' | 'ping';

export interface TerminalSessionOptions {
  id: string;
  node: string;
  /** Undefined for the host node (the root namespace). */
  netns: string | undefined;
  kind: TerminalKind;
  title: string;
  command: Command;
  env: Record<string, string>;
  cwd: string;
  size: TerminalSize;
  scrollbackChars?: number;
  /** Unique within the process; names the terminal's cgroup. */
  cgroupName?: string;
  /**
   * A cgroup the command joins by itself before it runs anything (a lab
   * machine's terminal); then no cgroup of the server's own is made.
   */
  cgroup?: KillableGroup;
}

/** What a terminal needs of its cgroup: end everything in it. */
export interface KillableGroup {
  kill(): void;
  killAndRemove(): Promise<void>;
}

export interface TerminalSessionEvents {
  output: [data: string];
  /** The process ended (by itself or by close); emitted once. */
  exit: [reason: string];
}

export interface TerminalStats {
  pid: number;
  alive: boolean;
  paused: boolean;
  scrollbackChars: number;
  /** Unacknowledged characters per attached client. */
  unacknowledged: Record<string, number>;
}

export class TerminalSession extends EventEmitter<TerminalSessionEvents> {
  readonly id: string;
  readonly node: string;
  readonly netns: string | undefined;
  readonly kind: TerminalKind;
  readonly title: string;
  readonly pid: number;

  private readonly pty: pty.IPty;
  private readonly scrollback: Scrollback;
  private readonly batcher: OutputBatcher;
  private readonly flow: AckFlowControl;
  private ended = false;
  private closeReason: string | null = null;
  private readonly exited: Promise<void>;
  /** Null where cgroups are not available; see terminal-cgroup.ts. */
  private readonly cgroup: KillableGroup | null;
  /** Settles when the process has exited and everything it started is gone. */
  private readonly cleanedUp: Promise<void>;

  constructor(options: TerminalSessionOptions) {
    super();
    this.id = options.id;
    this.node = options.node;
    this.netns = options.netns;
    this.kind = options.kind;
    this.title = options.title;
    this.scrollback = new Scrollback(options.scrollbackChars);
    this.batcher = new OutputBatcher((data) => {
      this.scrollback.append(data);
      this.emit('output', data);
    });
    this.pty = pty.spawn(options.command.file, options.command.args, {
      name: options.env.TERM ?? 'xterm-256color',
      cols: options.size.cols,
      rows: options.size.rows,
      cwd: options.cwd,
      env: options.env,
    });
    this.pid = this.pty.pid;
    // Moved in before the shell can fork: bash starts nothing until it reads input,
    // and ip netns exec and setpriv exec without forking.
    const own = options.cgroup ? null : TerminalCgroup.create(options.cgroupName ?? this.id);
    if (own && !own.add(this.pid)) {
      void own.killAndRemove();
      this.cgroup = null;
    } else {
      this.cgroup = options.cgroup ?? own;
    }
    this.flow = new AckFlowControl(
      () => this.pty.pause(),
      () => this.pty.resume(),
    );
    this.pty.onData((data) => {
      if (this.ended || this.closeReason !== null) return;
      this.flow.sent(data.length);
      this.batcher.push(data);
    });
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.finish(this.closeReason ?? describeExit(this.kind, exitCode, signal));
        resolve();
      });
    });
    this.cleanedUp = this.exited.then(() => this.cgroup?.killAndRemove());
  }

  get alive(): boolean {
    return !this.ended;
  }

  info(): TerminalInfo {
    return { id: this.id, node: this.node, title: this.title, alive: this.alive };
  }

  stats(): TerminalStats {
    const unacknowledged: Record<string, number> = {};
    for (const c of this.flow.clients()) unacknowledged[c] = this.flow.unacknowledged(c)!;
    return {
      pid: this.pid,
      alive: this.alive,
      paused: this.flow.paused,
      scrollbackChars: this.scrollback.length,
      unacknowledged,
    };
  }

  /**
   * Adds a client and returns the output so far. Pending output is sent first
   * (to the clients already attached), so the new client gets every character
   * exactly once: the past in the scrollback, the rest as output events.
   */
  attach(clientId: string, opts: { paced?: boolean } = {}): string {
    this.batcher.flush();
    // A viewer's browser does not pace a shell it cannot type in.
    if (this.alive && opts.paced !== false) this.flow.attach(clientId);
    return this.scrollback.text();
  }

  detach(clientId: string): void {
    this.flow.detach(clientId);
  }

  ack(clientId: string, chars: number): void {
    this.flow.ack(clientId, chars);
  }

  input(data: string): void {
    if (!this.alive || this.closeReason !== null || data.length === 0) return;
    if (this.flow.paused && INTERRUPT_CHARS.test(data)) {
      // Ctrl-C into a flood. The kernel discards the pty's pending output on
      // these characters; do the same with the batch not yet sent, and stop
      // waiting for acknowledgements, so the prompt shows at once. (What the
      // client still has to render is bounded by the high watermark.)
      this.batcher.drop();
      this.flow.forgive();
    }
    this.pty.write(data);
    this.batcher.flushForInput();
  }

  resize(size: TerminalSize): void {
    if (!this.alive) return;
    try {
      this.pty.resize(size.cols, size.rows);
    } catch {
      // The pty closed between the check and the ioctl.
    }
  }

  /**
   * Ends the terminal: SIGHUP to its processes (bash passes it on to its jobs),
   * SIGKILL to whatever is left after CLOSE_HARD_CAP_MS. Resolves once the
   * process has exited and nothing of it remains (waiting at most twice the cap). The exit event carries
   * `reason`. Calling it on a terminal that already ended resolves at once.
   */
  async close(reason: string): Promise<void> {
    if (this.ended) return this.cleanedUp;
    if (this.closeReason === null) {
      this.closeReason = reason;
      this.batcher.drop();
      // A paused pty is not read, so its EOF would go unnoticed; output is ignored from now on.
      this.flow.forgive();
      this.pty.resume();
      signalTerminal(this.pid, 'SIGHUP');
    }
    if (!(await within(this.exited, CLOSE_HARD_CAP_MS))) {
      killTerminal(this.pid);
      this.cgroup?.kill();
    }
    // Bounded too, so that a process stuck in the kernel cannot hold up a server shutdown.
    await within(this.cleanedUp, CLOSE_HARD_CAP_MS);
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.batcher.flush();
    this.ended = true;
    this.batcher.dispose();
    for (const c of this.flow.clients()) this.flow.detach(c);
    // Background jobs outlive their shell unless killed: no orphans. The cgroup,
    // if any, is emptied right after (cleanedUp).
    killTerminal(this.pid);
    this.emit('exit', reason);
  }
}

function describeExit(kind: TerminalKind, exitCode: number, signal: number | undefined): string {
  const what = kind === 'ping' ? 'ping' : 'shell';
  if (signal) {
    const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
    return `${what} was killed by ${name}`;
  }
  return `${what} exited with code ${exitCode}`;
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
