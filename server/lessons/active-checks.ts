/**
 * Active checks: commands run in the lab for a step (ping, tracepath), and
 * packets seen by a capture. The server runs them when a step's state
 * checks pass, and when asked; they answer what they found.
 */
import { execFile } from 'node:child_process';
import { commandIn, type Machine } from '../kernel/machine';
import type { Topology } from '../model/topology';
import { kindModule } from '../model/kinds/kinds';
import type { Check } from './check';
import { checkLabel, type CheckResult } from './evaluate-state';

/** A ping check's packets, 20 ms apart (root in the lab may): the default three take 40 ms. */
const PING_DEFAULT_COUNT = 3;
const PING_INTERVAL_S = '0.02';
const PING_WAIT_S = '1';
const TRACEPATH_MAX_HOPS = '8';
const COMMAND_TIMEOUT_MS = 15_000;

export interface ActiveContext {
  machine: Machine;
  topology: Topology;
  /** Whether a packet matching was captured on `on` since the step began (the lesson's capture). */
  packetSeen(on: string, protocol?: string, text?: string): boolean;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout) });
    });
  });
}

/** A program run in a node: its namespace inside the machine, or the machine itself for the host and switches. */
function inNode(ctx: ActiveContext, node: string, argv: string[]): Promise<{ code: number; stdout: string }> {
  const spec = ctx.topology.nodes[node];
  const inRoot = !spec || kindModule(spec.kind).inRoot;
  const { file, args } = commandIn(ctx.machine, inRoot ? argv[0] : 'ip', inRoot ? argv.slice(1) : ['netns', 'exec', node, ...argv]);
  return run(file, args);
}

export async function runActive(c: Check, ctx: ActiveContext): Promise<CheckResult> {
  const label = checkLabel(c);
  if (c.type === 'ping') {
    const p = c.ping;
    if (!Object.hasOwn(ctx.topology.nodes, p.from) && p.from !== 'host') return { label, ok: false, found: `there is no ${p.from}` };
    const count = p.count ?? PING_DEFAULT_COUNT;
    const out = await inNode(ctx, p.from, ['ping', '-n', '-q', '-c', String(count), '-i', PING_INTERVAL_S, '-W', PING_WAIT_S, p.to]);
    const m = /(\d+) packets transmitted, (\d+) received/.exec(out.stdout);
    const rtt = /= [\d.]+\/([\d.]+)\//.exec(out.stdout);
    const sent = m ? Number(m[1]) : count;
    const received = m ? Number(m[2]) : 0;
    const loss = sent ? Math.round((100 * (sent - received)) / sent) : 100;
    const avg = rtt ? Number(rtt[1]) : undefined;
    const found = `${received} of ${sent} answered${avg !== undefined ? `, round trip ${avg.toFixed(1)} ms` : ''}`;
    if (p.fails) return received === 0 ? { label, ok: true, found } : { label, ok: false, found };
    const ok = received > 0 && loss <= (p.loss ?? 0) && (p.rtt === undefined || (avg ?? 0) >= p.rtt);
    return { label, ok, found };
  }
  if (c.type === 'path') {
    const via = ctx.topology.nodes[c.path.via];
    if (!via) return { label, ok: false, found: `there is no ${c.path.via}` };
    const mine = new Set(Object.values(via.interfaces).flatMap((i) => i.addresses.map((a) => a.split('/')[0])));
    const out = await inNode(ctx, c.path.from, ['tracepath', '-n', '-m', TRACEPATH_MAX_HOPS, c.path.to]);
    const hops = [...out.stdout.matchAll(/^\s*\d+:\s+([0-9a-f.:]+)\s/gm)].map((m) => m[1]).filter((h) => h !== 'no');
    const crossed = hops.some((h) => mine.has(h));
    return { label, ok: crossed, found: hops.length ? `hops: ${[...new Set(hops)].join(' → ')}` : 'tracepath found no hop' };
  }
  if (c.type === 'packet') {
    const seen = ctx.packetSeen(c.packet.on, c.packet.protocol, c.packet.text);
    return { label, ok: seen, found: seen ? undefined : `nothing like it on ${c.packet.on} yet` };
  }
  return { label, ok: false, found: 'not an active check' };
}
