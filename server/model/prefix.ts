/**
 * IPv4/IPv6 addresses and prefixes: strict parsing, normalization to the form
 * iproute2 prints, and overlap tests. Pure, no I/O.
 */

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** The address as written in canonical form (host bits kept). */
  address: string;
  length: number;
  /** The address as a big integer, for containment tests. */
  value: bigint;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIPv4(text: string): bigint | null {
  if (!IPV4.test(text)) return null;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Parses IPv6 (no zone id, no embedded IPv4); returns the canonical text too. */
export function parseIPv6(text: string): { value: bigint; canonical: string } | null {
  if (!/^[0-9A-Fa-f:]+$/.test(text) || !text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...tail].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array(missing).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const value = all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  return { value, canonical: formatIPv6(all) };
}

/** RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseAddress(text: string): { family: Family; value: bigint; canonical: string } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, value: v4, canonical: text };
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, value: v6.value, canonical: v6.canonical };
  return null;
}

/**
 * Prefixes already parsed: a lab's addresses are parsed again at every edit
 * (checking the desired topology, reading the kernel back), always the same
 * few hundred strings. Bounded: emptied when it reaches the limit.
 */
const parsed = new Map<string, Readonly<Prefix> | null>();
const MAX_PARSED = 4096;

/** `10.0.1.0/24`, `fd00::1/64`. The length is required. The result is frozen: it may be shared. */
export function parsePrefix(text: string): Readonly<Prefix> | null {
  if (typeof text !== 'string') return null;
  const known = parsed.get(text);
  if (known !== undefined) return known;
  if (parsed.size >= MAX_PARSED) parsed.clear();
  const prefix = parsePrefixText(text);
  parsed.set(text, prefix);
  return prefix;
}

function parsePrefixText(text: string): Readonly<Prefix> | null {
  // No leading zeros in the length: iproute2 reads `/010` as octal 8.
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return null;
  const addr = parseAddress(m[1]);
  if (!addr) return null;
  const length = Number(m[2]);
  if (length > (addr.family === 4 ? 32 : 128)) return null;
  return Object.freeze({ family: addr.family, address: addr.canonical, length, value: addr.value });
}

export function formatPrefix(p: Prefix): string {
  return `${p.address}/${p.length}`;
}

function bits(family: Family): bigint {
  return family === 4 ? 32n : 128n;
}

export function networkOf(p: Prefix): bigint {
  const shift = bits(p.family) - BigInt(p.length);
  return (p.value >> shift) << shift;
}

export function hasHostBits(p: Prefix): boolean {
  return networkOf(p) !== p.value;
}

/** Two prefixes overlap when one network contains the other. */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.length, b.length);
  const shift = bits(a.family) - BigInt(shorter);
  return a.value >> shift === b.value >> shift;
}

/** Normalizes a route destination: `default`, `::/0`, or a prefix without host bits. */
export function normalizeRouteTarget(text: string): { value: string; family: Family } | { error: string } {
  if (text === 'default' || text === '0.0.0.0/0') return { value: 'default', family: 4 };
  if (text === '::/0' || text === 'default6') return { value: '::/0', family: 6 };
  const p = parsePrefix(text);
  if (!p) return { error: 'must be "default", "::/0" or a prefix such as 10.0.2.0/24' };
  if (hasHostBits(p)) return { error: `has host bits set; did you mean ${formatNetwork(p)}?` };
  return { value: formatPrefix(p), family: p.family };
}

export function formatNetwork(p: Prefix): string {
  const net = networkOf(p);
  const addr = p.family === 4 ? formatIPv4(net) : formatV6Value(net);
  return `${addr}/${p.length}`;
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

function formatV6Value(v: bigint): string {
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((v >> s) & 0xffffn));
  return formatIPv6(groups);
}
