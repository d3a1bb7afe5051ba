/**
 * A switch's MAC table, as `bridge fdb show br NAME` prints it: which MAC
 * was seen behind which port. Only the bridge's own forwarding entries are
 * kept (not the multicast and `self` entries of each device).
 */
import { runIn } from './ip';
import type { Machine } from './machine';
import { byCodeUnits } from '../model/names';

export interface MacEntry {
  mac: string;
  /** The port it was learned on. */
  port: string;
  /** The port's own MAC (`permanent`), rather than one learned from traffic. */
  local: boolean;
}

interface FdbJson {
  mac: string;
  ifname: string;
  master?: string;
  flags?: string[];
  state?: string;
}

export function macTableFrom(bridge: string, entries: FdbJson[]): MacEntry[] {
  return entries
    .filter((e) => e.master === bridge && !(e.flags ?? []).includes('self'))
    .map((e) => ({ mac: e.mac, port: e.ifname, local: e.state === 'permanent' }))
    .sort((a, b) => Number(a.local) - Number(b.local) || byCodeUnits(a.port, b.port) || byCodeUnits(a.mac, b.mac));
}

/** Reads the table of `bridge` in the machine's root namespace. */
export async function readMacTable(machine: Machine, bridge: string): Promise<MacEntry[]> {
  const res = await runIn(machine, 'bridge', ['-j', 'fdb', 'show', 'br', bridge]);
  if (res.code !== 0) throw new Error(res.stderr.trim() || `bridge exited with code ${res.code}`);
  return macTableFrom(bridge, JSON.parse(res.stdout || '[]') as FdbJson[]);
}
