/**
 * Rates as the page shows them. The server samples each interface once a
 * second, so a ping at one packet a second reads 0, 2, 1, 0, 2...: shown raw,
 * the cable's label flickers on and off. Each rate is averaged with the one
 * before (half each), and a rate that falls to zero keeps fading for a few
 * ticks instead of vanishing, so a steady ping keeps a steady label.
 */
import type { TrafficRate } from '@/server/protocol';

/** The weight of the newest sample. */
export const SMOOTHING = 0.5;
/** Below this a faded rate is zero. */
const ZERO_PPS = 0.05;

export function smoothTraffic(previous: Record<string, TrafficRate>, rates: TrafficRate[]): Record<string, TrafficRate> {
  const out: Record<string, TrafficRate> = {};
  const mix = (a: number, b: number | undefined) => (b === undefined ? a : SMOOTHING * a + (1 - SMOOTHING) * b);
  for (const r of rates) {
    const key = `${r.node}:${r.iface}`;
    const p = previous[key];
    const s: TrafficRate = {
      node: r.node,
      iface: r.iface,
      rxPps: mix(r.rxPps, p?.rxPps),
      txPps: mix(r.txPps, p?.txPps),
      rxBps: mix(r.rxBps, p?.rxBps),
      txBps: mix(r.txBps, p?.txBps),
      // Counters are not averaged: they are what the kernel counted.
      rxPackets: r.rxPackets,
      txPackets: r.txPackets,
    };
    if (s.rxPps < ZERO_PPS && s.txPps < ZERO_PPS) Object.assign(s, { rxPps: 0, txPps: 0, rxBps: 0, txBps: 0 });
    out[key] = s;
  }
  // The server sends an interface's rate while it is busy and once more when it goes idle; one it did not send fades out.
  for (const [key, p] of Object.entries(previous)) {
    if (key in out || (p.rxPps < ZERO_PPS * 2 && p.txPps < ZERO_PPS * 2)) continue;
    const f = 1 - SMOOTHING;
    out[key] = { ...p, rxPps: p.rxPps * f, txPps: p.txPps * f, rxBps: p.rxBps * f, txBps: p.txBps * f };
  }
  return out;
}
