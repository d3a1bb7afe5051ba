/**
 * One tcpdump, capturing one interface inside the lab machine and writing
 * pcap to its stdout. tcpdump rather than a libpcap binding: it is a Debian
 * package with no native module to build, it runs inside the lab's
 * namespaces like any other command (so the server needs no capabilities of
 * its own there), and killing it ends the capture with nothing left behind.
 *
 * It runs outside the lab's PID namespace (students do not see it in `ps`),
 * with the parent-death signal set, so a server killed with -9 takes its
 * captures with it: none can hold a deleted namespace alive.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { IP_BINARY, type Machine } from '../kernel/machine';
import { PcapReader, type PcapRecord } from './pcap-reader';

/** Bytes kept of each frame: a whole frame of a 1500-byte MTU with room for tags. */
export const SNAP_LENGTH_BYTES = 1600;
/** The kernel buffer tcpdump asks for, in KiB: a flood is dropped there, counted, rather than in the server. */
const KERNEL_BUFFER_KIB = 4096;
/** How long tcpdump has to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 1000;

export interface CaptureTarget {
  /** The network namespace of the lab machine, or undefined for the machine's own. */
  namespace?: string;
  iface: string;
  /**
   * Capture through the `any` device (Linux cooked v2, which records the
   * direction) filtered to this interface index, instead of on the
   * interface itself (Ethernet).
   */
  cookedIfindex?: number;
  /** A capture expression (tcpdump's filter language), passed as one argument after `--`. */
  filter?: string;
}

export function captureArgv(machine: Machine, t: CaptureTarget): string[] {
  const where = t.namespace === undefined ? [] : [IP_BINARY, 'netns', 'exec', t.namespace];
  const device = t.cookedIfindex === undefined ? ['-i', t.iface] : ['-i', 'any', '-y', 'LINUX_SLL2'];
  const filter = [t.cookedIfindex === undefined ? '' : `ifindex ${t.cookedIfindex}`, t.filter ? `(${t.filter})` : ''].filter(Boolean).join(' and ');
  return [
    ...machine.observe,
    ...where,
    'setpriv', '--pdeathsig', 'KILL', '--',
    // -Z root: dropping to the tcpdump user would clear the parent-death signal.
    'tcpdump', ...device, '-w', '-', '-U', '--immediate-mode', '-n', '-s', String(SNAP_LENGTH_BYTES), '-B', String(KERNEL_BUFFER_KIB), '-Z', 'root',
    ...(filter ? ['--', filter] : []),
  ];
}

export class CaptureProcess extends EventEmitter<{ records: [PcapRecord[]]; listening: []; exit: [string] }> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly reader = new PcapReader();
  private stderr = '';
  private ended = false;
  /** tcpdump said it is listening: packets from now on are seen. */
  listening = false;
  /** Set by whoever stops it on purpose, so its end is not reported as a failure. */
  stopping = false;
  readonly exited: Promise<void>;

  constructor(machine: Machine, readonly target: CaptureTarget) {
    super();
    const [file, ...args] = captureArgv(machine, target);
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {}); // tcpdump may have ended first; its exit is reported below
    this.child.stdin.end();
    this.child.stdout.on('data', (chunk: Buffer) => {
      try {
        const records = this.reader.push(chunk);
        if (records.length) this.emit('records', records);
      } catch (e) {
        this.end(e instanceof Error ? e.message : String(e));
        this.child.kill('SIGKILL');
      }
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 4096) this.stderr += d;
      if (!this.listening && this.stderr.includes('listening on')) {
        this.listening = true;
        this.emit('listening');
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.end(this.reason(code, signal));
        resolve();
      });
      this.child.once('error', (e) => {
        this.end(`tcpdump could not be started: ${e.message}`);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get linkType(): number | undefined {
    return this.reader.linkType;
  }

  get running(): boolean {
    return !this.ended;
  }

  /** Stops the capture; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  private reason(code: number | null, signal: NodeJS.Signals | null): string {
    // tcpdump's own last words say why (`syntax error`, `No such device exists`), minus its banner.
    const said = this.stderr
      .split('\n')
      .filter((l) => l && !/^(tcpdump: listening on|\d+ packets? )/.test(l))
      .join('; ')
      .replace(/^tcpdump: /, '');
    return said || (signal ? `stopped (${signal})` : `tcpdump exited (${code})`);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('exit', reason);
  }
}
