/**
 * The kernel's per-interface counters as /proc/PID/net/dev prints them for
 * the network namespace of process PID. Reading that file costs no process
 * and no netlink round trip: the traffic meter reads it through the
 * persistent reader that already lives in each namespace.
 */

/** One interface's counters: the numbers `ip -s link` shows. */
export interface InterfaceCounters {
  ifname: string;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/**
 * Parses the file: two header lines, then `NAME: rx-bytes rx-packets errs
 * drop fifo frame compressed multicast tx-bytes tx-packets ...`. A name is
 * padded on the left and may touch the colon; names never contain one.
 * Lines that do not read so are skipped.
 */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const ifname = line.slice(0, colon).trim();
    const n = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (ifname === '' || n.length < 10 || n.some((x) => !Number.isFinite(x))) continue;
    out.push({ ifname, rxBytes: n[0], rxPackets: n[1], txBytes: n[8], txPackets: n[9] });
  }
  return out;
}
