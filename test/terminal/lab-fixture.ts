/**
 * Shared by the kernel-facing terminal tests: two throwaway namespaces joined
 * by a veth pair, and helpers to drive a terminal and read its output. Every
 * name carries a random suffix so parallel runs do not collide.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TerminalManager } from '../../server/terminal/terminal-manager';
import { terminalProcesses } from '../../server/terminal/process-tree';
import { ip } from '../support/kernel';
import { until } from '../support/wait';

export interface Lab {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  /** Addresses inside the lab only; no route leads anywhere else. */
  addrA: string;
  addrB: string;
  remove(): void;
}

export { ip } from '../support/kernel';

export function createLab(): Lab {
  const tag = randomBytes(3).toString('hex');
  const third = randomBytes(1)[0];
  const lab: Lab = {
    nsA: `vlt-term-${tag}-a`,
    nsB: `vlt-term-${tag}-b`,
    ifA: `vlta${tag}`,
    ifB: `vltb${tag}`,
    addrA: `10.213.${third}.1`,
    addrB: `10.213.${third}.2`,
    remove() {
      for (const ns of [lab.nsA, lab.nsB]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // Never created, or already deleted by the test.
        }
      }
    },
  };
  try {
    ip('netns', 'add', lab.nsA);
    ip('netns', 'add', lab.nsB);
    ip('link', 'add', lab.ifA, 'netns', lab.nsA, 'type', 'veth', 'peer', 'name', lab.ifB, 'netns', lab.nsB);
    ip('-n', lab.nsA, 'addr', 'add', `${lab.addrA}/30`, 'dev', lab.ifA);
    ip('-n', lab.nsB, 'addr', 'add', `${lab.addrB}/30`, 'dev', lab.ifB);
    for (const [ns, dev] of [[lab.nsA, lab.ifA], [lab.nsB, lab.ifB]]) {
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    lab.remove();
    throw e;
  }
  return lab;
}

/** A manager with its own data directory; `dispose` closes every terminal and removes the directory. */
export function createManager(): { manager: TerminalManager; dispose(): Promise<void> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vlt-term-'));
  const manager = new TerminalManager({ dataDir });
  return {
    manager,
    async dispose() {
      await manager.closeAll();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r/g, '');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Collects one terminal's output events and its exit. */
export class Transcript {
  text = '';
  chars = 0;
  exitReason: string | null = null;

  constructor(
    readonly manager: TerminalManager,
    readonly id: string,
  ) {
    manager.on('output', (tid, data) => {
      if (tid !== id) return;
      this.text += data;
      this.chars += data.length;
    });
    manager.on('exit', (tid, reason) => {
      if (tid === id) this.exitReason = reason;
    });
  }

  /** Waits until the plain text (after `from`) matches. */
  async waitFor(pattern: RegExp, timeoutMs = 5000, from = 0): Promise<RegExpMatchArray> {
    return until(String(pattern), () => {
      const m = stripAnsi(this.text.slice(from)).match(pattern);
      if (m) return m;
      throw new Error(`output so far:\n${stripAnsi(this.text).slice(-2000)}`);
    }, { timeoutMs, everyMs: 20 });
  }

  async waitForExit(timeoutMs = 5000): Promise<string> {
    return until('the terminal to exit', () => this.exitReason ?? undefined, { timeoutMs, everyMs: 20 });
  }

  private commands = 0;

  /**
   * Runs one command line in the shell and returns its output and exit code.
   * The marker is split by quotes in what is typed, so only the echo command's
   * output matches it, not the echoed command line.
   */
  async run(command: string, timeoutMs = 5000): Promise<{ output: string; code: number }> {
    const n = ++this.commands;
    const from = this.text.length;
    this.manager.input(this.id, `${command}; echo "@@M""${n}:$?@@"\r`);
    // Searched in the raw text, which is cheap even for a megabyte of output.
    const marker = new RegExp(`@@M${n}:(\\d+)@@`, 'g');
    return until(`${command} to finish`, () => {
      marker.lastIndex = from;
      const m = marker.exec(this.text);
      if (m) return { output: stripAnsi(this.text.slice(from, m.index)), code: Number(m[1]) };
      throw new Error(`output so far:\n${stripAnsi(this.text.slice(-2000))}`);
    }, { timeoutMs, everyMs: 20 });
  }
}

/** Waits until the terminal's process and every process of its session are gone. */
export async function waitForNoProcesses(pid: number, timeoutMs = 3000): Promise<number[]> {
  await until('the terminal\'s processes to end', () => terminalProcesses(pid).length === 0, { timeoutMs, everyMs: 20 }).catch(() => undefined);
  return terminalProcesses(pid);
}

export interface LabTestEnv {
  lab: Lab;
  fixture: ReturnType<typeof createManager>;
}

/**
 * For a test file: a fresh two-namespace lab and a terminal manager, made
 * before its tests and removed after them, also when one fails.
 */
export function useLab(): LabTestEnv {
  const env = {} as LabTestEnv;
  before(() => {
    env.lab = createLab();
    env.fixture = createManager();
  });
  after(async () => {
    try {
      await env.fixture?.dispose();
    } finally {
      env.lab?.remove();
    }
  });
  return env;
}
