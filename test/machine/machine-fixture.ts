/**
 * Shared by the lab machine tests: labs in a data directory of the test's
 * own, commands run inside them as a student's shell would, and a picture of
 * the real machine's network to compare before and after. Cleanup destroys
 * every lab the test made, also when the test fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabRegistry } from '../../server/engine/lab-registry';
import type { Lab } from '../../server/engine/lab';
import { labShellArgv } from '../../server/machine/lab-machine';
import { ipJson, namespaceNames } from '../support/kernel';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv in a node of the lab (undefined: the lab machine itself), as root inside, like `vethlab exec`. */
export async function runIn(lab: Lab, node: string | undefined, argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  await lab.ensureMachine();
  const full = lab.machineHandle!.enter(node, labShellArgv(node ?? lab.name, argv));
  return new Promise((resolve) => {
    const child = execFile(full[0], full.slice(1), { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    // A command that is over before its input is written (ip link set ... down) closes the pipe: not an error of the test's.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

/** `bash -c SCRIPT` in a node of the lab. */
export function sh(lab: Lab, node: string | undefined, script: string, opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return runIn(lab, node, ['bash', '-c', script], opts);
}

/**
 * The real machine's network as `ip -json` shows it: interfaces (without
 * counters and timers), routes, rules and named namespaces. What no lab may
 * change. Tests running beside this one make real-machine objects of their
 * own, all named `vl...`: those are left out, except the caller's (`own`).
 */
export function realMachine(own?: string): string {
  const others = (name: string | undefined) => name !== undefined && name.startsWith('vl') && !(own !== undefined && name.startsWith(own));
  const links = ipJson<any[]>('addr', 'show')
    .filter((l) => !others(l.ifname))
    .map(({ stats64, addr_info, ...rest }) => ({
      ...rest,
      addr_info: (addr_info ?? []).map(({ valid_life_time, preferred_life_time, tentative, ...a }: any) => a),
    }));
  const routes = ipJson<any[]>('route', 'show', 'table', 'all').filter((r) => !others(r.dev));
  return JSON.stringify({ links, routes, netns: namespaceNames().filter((n) => !others(n)) });
}

export interface LabsFixture {
  dataDir: string;
  registry: LabRegistry;
  lab(name?: string): Lab;
  cleanup(): Promise<void>;
}

export async function makeLabs(opts: { realHost?: boolean } = {}): Promise<LabsFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vlm-data-'));
  const registry = new LabRegistry({ dataDir, realHost: opts.realHost });
  return {
    dataDir,
    registry,
    lab: (name = 'default') => registry.lab(name),
    async cleanup() {
      try {
        for (const name of registry.names()) await registry.delete(name);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
