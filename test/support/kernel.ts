/** Helpers for tests that run on the real kernel (as root). */
import { LabRegistry } from '../../server/engine/lab-registry';
import type { Lab } from '../../server/engine/lab';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const execFileP = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, '../..');
/**
 * The CLI as users run it: the compiled one (`npm run build`, which `npm test`
 * runs first), unless a source file is newer than it; then the TypeScript one
 * through tsx, so a test never runs stale code.
 */
export const CLI = compiledIsFresh() ? path.join(REPO, 'dist/cli/vethlab.mjs') : path.join(REPO, 'server/cli/vethlab.mjs');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function compiledIsFresh(): boolean {
  const built = path.join(REPO, 'dist/cli/vethlab.mjs');
  return existsSync(built) && statSync(built).mtimeMs >= newest(path.join(REPO, 'server'));
}

/** Runs `ip ARGS...` (argv, no shell) and returns its output; throws with ip's message on failure. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ip -json ARGS...`, parsed; an empty answer is []. */
export function ipJson<T = any>(...args: string[]): T {
  const out = ip('-json', ...args).trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}

export function namespaceNames(): string[] {
  return ipJson<{ name: string }[]>('netns', 'list').map((n) => n.name).sort();
}

/** A short random tag for names that must not collide with another run's. */
export function tag(): string {
  return randomBytes(3).toString('hex');
}

/** Links and addresses without counters, timers or DAD state: what must not change when nothing should. */
function stable(links: any[]): any[] {
  return links.map(({ stats64, addr_info, ...rest }) => ({
    ...rest,
    // Timers and IPv6 duplicate address detection (`tentative`) change by themselves.
    addr_info: (addr_info ?? []).map(({ valid_life_time, preferred_life_time, tentative, ...a }: any) => a),
  }));
}

/**
 * A picture of the kernel's network state: the root's interfaces, addresses
 * and routes, and those of every namespace the filter keeps. Tests running
 * beside this one make their own namespaces and root interfaces, all named
 * `vl...`: those the filter does not keep are left out of the root's too.
 */
export function kernelSnapshot(namespaces: (name: string) => boolean = () => true): string {
  const names = namespaceNames().filter(namespaces);
  const others = (name: string) => name.startsWith('vl') && !namespaces(name);
  const read = (prefix: string[]) => ({
    links: stable(ipJson<any[]>(...prefix, 'addr', 'show').filter((l) => !others(l.ifname))),
    routes: ipJson<any[]>(...prefix, 'route', 'show', 'table', 'all').filter((r) => !others(r.dev ?? '')),
  });
  return JSON.stringify({ names, root: read([]), namespaces: Object.fromEntries(names.map((n) => [n, read(['-n', n])])) });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with its own data directory. Real-host mode unless told
 * otherwise: most engine tests check the real machine's own kernel.
 */
export function vethlab(args: string[], dataDir: string, opts: { realHost?: boolean; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const mode = opts.realHost === false ? [] : ['--real-host'];
    // Options go before `--`: what follows it is `exec`'s command.
    const dash = args.indexOf('--');
    const argv = dash < 0 ? [...args, ...mode, '--data-dir', dataDir] : [...args.slice(0, dash), ...mode, '--data-dir', dataDir, ...args.slice(dash)];
    const child = spawn(process.execPath, [CLI, ...argv], { cwd: REPO, env: { ...process.env, VETHLAB_DATA_DIR: '' } });
    child.stdin.on('error', () => {}); // a CLI that ended before reading its input
    child.stdin.end(opts.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Pings inside the lab only: from a namespace (or the root for undefined) to an address of the test's own. */
export async function ping(netns: string | undefined, address: string, count = 3): Promise<string> {
  const argv = ['ping', '-c', String(count), '-W', '1', '-i', '0.2', address];
  const { stdout } = await execFileP(netns ? 'ip' : argv[0], netns ? ['netns', 'exec', netns, ...argv] : argv.slice(1));
  return stdout;
}

/** Removes namespaces and host links by name, ignoring ones already gone. */
export function removeAll(namespaces: string[], hostLinks: string[] = []): void {
  for (const l of hostLinks) {
    try {
      execFileSync('ip', ['link', 'del', l], { stdio: 'ignore' });
    } catch {}
  }
  for (const n of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
    } catch {}
  }
}

/** The one lab of a real-host data directory. */
export function realHostLab(dataDir: string): Lab {
  return new LabRegistry({ dataDir, realHost: true }).lab();
}

export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 7);
}
