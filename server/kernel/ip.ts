/**
 * Runs iproute2. Always an argv array and never a shell; batches go to
 * `ip -batch -` on stdin, one command a line (every word is a validated name
 * or prefix, so no line needs quoting).
 */
import { spawn } from 'node:child_process';
import { commandIn, ipIn, REAL_HOST, type Machine } from './machine';

export { IP_BINARY } from './machine';

/** How `ip -batch` (and `tc -batch`) names the line it stopped at on stdin. */
export const BATCH_FAILED_LINE = /^Command failed -:(\d+)\s*$/m;

export interface IpResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ip ARGS...` in the machine, feeding `input` on stdin when given. */
export function runIp(args: string[], input?: string, machine: Machine = REAL_HOST): Promise<IpResult> {
  return spawnCollect(ipIn(machine, args), input);
}

function spawnCollect({ file, args: argv }: { file: string; args: string[] }, input?: string): Promise<IpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {}); // ip may exit before reading all input; its exit code tells
    child.stdin.end(input ?? '');
  });
}

/** Runs another program in the machine (argv, never a shell), e.g. sysctl or `tc -batch -` in a plan. */
export function runIn(machine: Machine, program: string, args: string[], input?: string): Promise<IpResult> {
  return spawnCollect(commandIn(machine, program, args), input);
}

/** Runs several read-only commands in one `ip [-n NS] -json -batch -` and returns one parsed JSON value per command. */
export async function readBatch(netns: string | undefined, commands: string[], flags: string[] = [], machine: Machine = REAL_HOST): Promise<unknown[]> {
  const args = [...(netns ? ['-n', netns] : []), '-json', ...flags, '-batch', '-'];
  const res = await runIp(args, commands.join('\n') + '\n', machine);
  if (res.code !== 0) {
    throw new Error(`ip ${args.join(' ')} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
  }
  return res.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}
