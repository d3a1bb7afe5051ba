/** One colour per protocol (the dots, the list's protocol column) and per layer of the stack. */
import type { LayerKind } from '@/server/protocol';

export const PROTOCOL_COLORS: Record<string, string> = {
  ARP: '#f59e0b',
  ICMP: '#22c55e',
  ICMPv6: '#14b8a6',
  TCP: '#3b82f6',
  UDP: '#a855f7',
  DNS: '#ec4899',
  IPv4: '#64748b',
  IPv6: '#64748b',
};
export const OTHER_COLOR = '#94a3b8';

export const protocolColor = (p: string) => PROTOCOL_COLORS[p] ?? OTHER_COLOR;

/** Layer names, for the legend and the screen reader. */
export const LAYER_TITLES: Record<LayerKind, string> = {
  link: 'link layer',
  network: 'network layer',
  transport: 'transport layer',
  application: 'application layer',
};

/** The protocols offered in the list's filter. */
export const FILTER_PROTOCOLS = ['ARP', 'ICMP', 'ICMPv6', 'TCP', 'UDP', 'DNS'];
