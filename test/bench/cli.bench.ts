/**
 * Benchmark (not a timed test): the CLI as a user runs it, a whole process
 * each time, beside its baseline measured in the same run.
 *
 *   1. `vethlab --help`: the compiled CLI run as its bin (as `vethlab` on the
 *      PATH and npx run it) and with `node`, the TypeScript one through tsx,
 *      and `npx vethlab`, beside `node -e 0` (with and without
 *      NODE_EXTRA_CA_CERTS, which the bin unsets when it is set).
 *   2. `vethlab apply` + `vethlab destroy` (the bin) of linear-N (N namespaces, N-1 veth
 *      pairs, addresses, up) in real-host mode, beside the same topology as a
 *      plain script (one `ip -batch` in the root, one `ip -n NS -batch` per
 *      namespace, one `netns del` batch), for N = 25 ... 400, and the cost of
 *      each extra namespace (the slope) for both.
 *   3. The same for linear-100 in a lab machine, beside the plain script in a
 *      bare `unshare` of the same namespaces.
 *
 *   npm run bench:cli -- [--rounds 3] [--sizes 25,50,100,200,400] [--parts 1,2,3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { linearTopology } from './linear-topology';
import { stringifyTopology } from '../../server/model/topology-file';
import { listNamespaces } from '../../server/kernel/namespaces';
import { runIp } from '../../server/kernel/ip';
import { REPO } from '../support/kernel';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, sizes: { type: 'string', default: '25,50,100,200,400' }, parts: { type: 'string', default: '1,2,3' } } });
const ROUNDS = Number(values.rounds);
const SIZES = values.sizes.split(',').map(Number);
const PARTS = new Set(values.parts.split(',').map(Number));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error(`--rounds: "${values.rounds}" must be a whole number from 1 to 20`);
for (const n of SIZES) if (!Number.isInteger(n) || n < 2 || n > 1000) throw new Error(`--sizes: "${n}" must be whole numbers from 2 to 1000`);

const BUILT = path.join(REPO, 'dist/cli/vethlab.mjs');
const SOURCE = path.join(REPO, 'server/cli/vethlab.mjs');

/** Runs a whole process and returns its wall time in ms; fails on a non-zero exit. */
function timed(file: string, args: string[], input?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], env: { ...process.env, VETHLAB_DATA_DIR: '' } });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    if (input !== undefined) child.stdin!.end(input);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${err.slice(0, 400)}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * The kernel frees deleted namespaces in the background for a while after
 * `ip netns del` returns; a pause before each timed run keeps one run's
 * clean-up out of the next one's time.
 */
const SETTLE_MS = 2000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

/** One warm-up of each, then `ROUNDS` alternating timed rounds of both: the medians of (plain, vethlab) and each round. */
async function pair(plain: () => Promise<number>, vethlab: () => Promise<number>): Promise<{ tp: number[]; tl: number[] }> {
  await plain();
  await vethlab();
  const tp: number[] = [];
  const tl: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    tp.push(await plain());
    tl.push(await vethlab());
  }
  return { tp, tl };
}

async function rounds(n: number, fn: () => Promise<number>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return median(out);
}

async function helpPart(): Promise<void> {
  const n = Math.max(ROUNDS, 7);
  const base = await rounds(n, () => timed(process.execPath, ['-e', '0']));
  const caFile = process.env.NODE_EXTRA_CA_CERTS;
  const bare = caFile ? await rounds(n, () => timed('env', ['-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '0'])) : base;
  const bin = await rounds(n, () => timed(BUILT, ['--help']));
  const built = await rounds(n, () => timed(process.execPath, [BUILT, '--help']));
  const source = await rounds(n, () => timed(process.execPath, [SOURCE, '--help']));
  const npx = await rounds(Math.min(n, 3), () => timed('npx', ['--no-install', 'vethlab', '--help']));
  console.log(`\n1. vethlab --help, whole process, median of ${n} (target: compiled <= 250 ms)`);
  console.log(`   node -e 0                       ${ms(base)}${caFile ? `   (NODE_EXTRA_CA_CERTS=${caFile} is set: node reads it at every start)` : ''}`);
  if (caFile) console.log(`   node -e 0 without it            ${ms(bare)}`);
  console.log(`   dist/cli/vethlab.mjs (the bin)  ${ms(bin)}   ${(bin / base).toFixed(2)}x node${caFile ? ', which it runs without NODE_EXTRA_CA_CERTS' : ''}`);
  console.log(`   node dist/cli/vethlab.mjs       ${ms(built)}   ${(built / base).toFixed(2)}x node`);
  console.log(`   node server/cli/vethlab.mjs     ${ms(source)}   (TypeScript through tsx)`);
  console.log(`   npx vethlab                     ${ms(npx)}   (npx's own start included)`);
}

/** The plain iproute2 version of linear-N as two bash scripts (apply, destroy). */
function plainScripts(prefix: string, n: number): { topology: string; apply: string; destroy: string; names: string[] } {
  const l = linearTopology(prefix, n);
  const apply = [`ip -batch - <<'EOF'\n${l.rootBatch}EOF`, ...[...l.nsBatches].map(([ns, b]) => `ip -n ${ns} -batch - <<'EOF'\n${b}EOF`)].join('\n') + '\n';
  const destroy = `ip -batch - <<'EOF'\n${l.names.map((x) => `netns del ${x}`).join('\n')}\nEOF\n`;
  return { topology: stringifyTopology(l.topology), apply, destroy, names: l.names };
}

async function cleanup(prefix: string): Promise<void> {
  for (const n of (await listNamespaces()).map((x) => x.name).filter((x) => x.startsWith(prefix))) await runIp(['netns', 'del', n]);
}

async function linearPart(dir: string): Promise<void> {
  const prefix = `vlc${Math.random().toString(36).slice(2, 6)}`;
  const rows: { n: number; plain: number; lab: number; plainMin: number; labMin: number }[] = [];
  try {
    for (const n of SIZES) {
      const s = plainScripts(prefix, n);
      const file = path.join(dir, `linear-${n}.yml`);
      await writeFile(file, s.topology);
      const data = path.join(dir, `data-${n}`);
      const vethlab = async () => {
        await settle();
        const a = await timed(BUILT, ['apply', file, '--real-host', '--data-dir', data]);
        return a + (await timed(BUILT, ['destroy', '--real-host', '--data-dir', data]));
      };
      const plain = async () => {
        await settle();
        return (await timed('bash', ['-s'], s.apply)) + (await timed('bash', ['-s'], s.destroy));
      };
      const { tp, tl } = await pair(plain, vethlab);
      rows.push({ n, plain: median(tp), lab: median(tl), plainMin: Math.min(...tp), labMin: Math.min(...tl) });
      if ((await listNamespaces()).some((x) => x.name.startsWith(prefix))) throw new Error('a destroy left namespaces behind');
    }
  } finally {
    await cleanup(prefix);
  }
  console.log(`\n2. apply + destroy of linear-N, real-host mode, whole processes, median of ${ROUNDS} (target: <= 1.3x at N=100; slope <= 1.2x)`);
  console.log('      N   plain script        vethlab   ratio   per extra namespace: plain  vethlab  ratio');
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    const slope = prev ? `${((r.plain - prev.plain) / (r.n - prev.n)).toFixed(2).padStart(8)} ms ${((r.lab - prev.lab) / (r.n - prev.n)).toFixed(2).padStart(6)} ms  ${((r.lab - prev.lab) / (r.plain - prev.plain)).toFixed(2)}x` : '';
    console.log(`   ${String(r.n).padStart(4)}   ${ms(r.plain)}      ${ms(r.lab)}   ${(r.lab / r.plain).toFixed(2)}x   ${slope}`);
  });
  // This machine is shared and noisy: the fastest round of each says what each costs when nothing else runs.
  console.log('   fastest round of each:');
  for (const r of rows) console.log(`   ${String(r.n).padStart(4)}   ${ms(r.plainMin)}      ${ms(r.labMin)}   ${(r.labMin / r.plainMin).toFixed(2)}x`);
}

async function machinePart(dir: string): Promise<void> {
  const s = plainScripts('m', 100);
  const file = path.join(dir, 'linear-100-machine.yml');
  await writeFile(file, s.topology);
  const data = path.join(dir, 'data-machine');
  const vethlab = async () => {
    await settle();
    const a = await timed(BUILT, ['apply', file, '--data-dir', data]);
    return a + (await timed(BUILT, ['destroy', '--data-dir', data]));
  };
  // A bare machine of the same namespaces, its own /run for `ip netns`, the script run inside, gone with its last process.
  const bare = `mount -t tmpfs none /run && mkdir -p /run/netns && bash -s <<'SCRIPT'\n${s.apply}${s.destroy}SCRIPT\n`;
  const plain = async () => (await settle(), 0) + (await timed('unshare', ['--user', '--map-root-user', '--mount', '--net', '--pid', '--fork', '--propagation', 'private', 'bash', '-s'], bare));
  const { tp, tl } = await pair(plain, vethlab);
  const [p, l] = [median(tp), median(tl)];
  console.log(`\n3. apply + destroy of linear-100 in a lab machine, whole processes, median of ${ROUNDS}`);
  console.log(`   plain script in a bare unshare   ${ms(p)}`);
  console.log(`   vethlab (machine made and ended) ${ms(l)}   ${(l / p).toFixed(2)}x`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vethlab-cli-bench-'));
  try {
    if (PARTS.has(1)) await helpPart();
    if (PARTS.has(2)) await linearPart(dir);
    if (PARTS.has(3)) await machinePart(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
