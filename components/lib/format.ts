/** Small text formatters for rates and times. */

export function formatBytesPerSecond(bps: number): string {
  if (bps < 1000) return `${Math.round(bps)} B/s`;
  if (bps < 1_000_000) return `${(bps / 1000).toFixed(1)} kB/s`;
  return `${(bps / 1_000_000).toFixed(1)} MB/s`;
}

export function formatPacketsPerSecond(pps: number): string {
  return pps >= 10 ? `${Math.round(pps)} pkt/s` : `${pps.toFixed(1)} pkt/s`;
}

/** `14:03:27` in the browser's time zone. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
