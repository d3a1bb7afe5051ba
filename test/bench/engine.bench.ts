/**
 * Benchmark (not a timed test): apply and destroy a linear topology of 100
 * namespaces with vethlab, and the same with a plain hand-written iproute2
 * batch script, in the same run. Prints both times and the ratios.
 *   node --import tsx test/bench/engine.bench.ts [--count 100] [--rounds 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { realHostLab } from '../support/kernel';
import { runIp } from '../../server/kernel/ip';
import { listNamespaces } from '../../server/kernel/namespaces';
import { linearTopology } from './linear-topology';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' } } });
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(COUNT) || COUNT < 2 || COUNT > 1000) throw new Error(`--count: "${values.count}" must be a whole number from 2 to 1000`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error(`--rounds: "${values.rounds}" must be a whole number from 1 to 20`);

const prefix = `vlbench${Math.random().toString(36).slice(2, 6)}`;
const linear = linearTopology(prefix, COUNT);

async function must(args: string[], input: string) {
  const r = await runIp(args, input);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

async function plainApply() {
  await must(['-batch', '-'], linear.rootBatch);
  for (const [ns, batch] of linear.nsBatches) await must(['-n', ns, '-batch', '-'], batch);
}

async function plainDestroy() {
  await must(['-batch', '-'], linear.names.map((n) => `netns del ${n}`).join('\n') + '\n');
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function leftovers(): Promise<string[]> {
  return (await listNamespaces()).map((n) => n.name).filter((n) => n.startsWith(prefix));
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-bench-'));
  const lab = realHostLab(dataDir);
  const t = { plainApply: [] as number[], plainDestroy: [] as number[], labApply: [] as number[], labDestroy: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      t.plainApply.push(await time(plainApply));
      // The same kernel reads as the vethlab round's re-apply check, so both destroys start alike.
      await realHostLab(path.join(dataDir, 'plain')).observe();
      t.plainDestroy.push(await time(plainDestroy));
      const applied = await lab.apply(linear.topology);
      if (!applied.ok) throw new Error(`apply failed: ${JSON.stringify(applied.errors ?? applied.failure)}`);
      await lab.destroy();
      // Timed rounds start from the same empty state as the plain script.
      t.labApply.push(await time(async () => {
        const r = await lab.apply(linear.topology);
        if (!r.ok) throw new Error(`apply failed: ${JSON.stringify(r.errors ?? r.failure)}`);
      }));
      const steps = (await lab.apply(linear.topology, { dryRun: true })).steps.length;
      if (steps !== 0) throw new Error(`re-apply planned ${steps} commands`);
      t.labDestroy.push(await time(() => lab.destroy()));
      if ((await leftovers()).length) throw new Error('destroy left namespaces behind');
    }
  } finally {
    for (const n of await leftovers()) await runIp(['netns', 'del', n]);
    await rm(dataDir, { recursive: true, force: true });
  }
  const pa = median(t.plainApply), pd = median(t.plainDestroy), la = median(t.labApply), ld = median(t.labDestroy);
  const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  console.log(`linear-${COUNT}: ${COUNT} namespaces, ${COUNT - 1} veth pairs; median of ${ROUNDS} rounds`);
  console.log(`                 plain ip -batch   vethlab    ratio (target <= 1.5)`);
  console.log(`apply            ${ms(pa)}      ${ms(la)}   ${(la / pa).toFixed(2)}x`);
  console.log(`destroy          ${ms(pd)}      ${ms(ld)}   ${(ld / pd).toFixed(2)}x`);
  console.log(`all rounds (ms): ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map((x) => Math.round(x))])))}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
