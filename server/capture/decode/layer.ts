/**
 * What a decoded protocol header is for the packet view: its place in the
 * stack (colour-coded in the list), the bytes it covers (highlighted in the
 * hex view), a short text for the one-line summary, and its fields for the
 * detail view. Fields are built only when someone opens the packet.
 */
export type LayerKind = 'link' | 'network' | 'transport' | 'application';

export interface Field {
  label: string;
  value: string;
}

export interface Layer {
  kind: LayerKind;
  /** `Ethernet`, `ARP`, `IPv4`, `ICMP`, ... */
  name: string;
  /** Byte offsets of the header in the frame: [start, end). */
  start: number;
  end: number;
  fields(): Field[];
}

export const field = (label: string, value: string | number): Field => ({ label, value: String(value) });

/** `aa:bb:cc:dd:ee:ff` from six bytes at `at`. */
export function macAt(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + HEX[b[at + i]];
  return s;
}

/** Dotted quad from four bytes at `at`. */
export function ipv4At(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** An IPv6 address from 16 bytes at `at`, in RFC 5952's short form (as tcpdump and ip print it). */
export function ipv6At(b: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  // The longest run of two or more zero words becomes `::` (the first such run on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

export const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
export const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);

/** ICMP's and ICMPv6's common 8-byte header, whose type numbers for an echo differ. */
export const ICMP_HEADER_BYTES = 8;

/**
 * What ICMP and ICMPv6 share: type, code, and for an echo request or reply
 * its id and sequence. Undefined when the header is cut short.
 */
export function icmpHeader(b: Uint8Array, at: number, end: number, echoTypes: readonly number[]): { type: number; code: number; echo: boolean; id?: number; seq?: number } | undefined {
  if (end < at + ICMP_HEADER_BYTES) return undefined;
  const type = b[at];
  const echo = echoTypes.includes(type);
  return { type, code: b[at + 1], echo, id: echo ? u16(b, at + 4) : undefined, seq: echo ? u16(b, at + 6) : undefined };
}
