/**
 * Cable impairments (netem): reading the file's units ("50ms", "1%",
 * "10mbit"), checking ranges, writing the `tc` words, and reading back what
 * `tc -j qdisc show` reports. Pure, no I/O.
 */
import type { NetemSpec } from './topology';

/** The fields, in the order `tc ... netem` takes them and the label shows them. */
export const NETEM_FIELDS = ['delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'reorder', 'rate'] as const;
export type NetemField = (typeof NETEM_FIELDS)[number];
export const PERCENT_FIELDS = ['loss', 'duplicate', 'corrupt', 'reorder'] as const;
const TIME_FIELDS = ['delay', 'jitter'] as const;

/** Longer than any lesson needs; netem's own limit is far above. */
export const MAX_DELAY_MS = 60_000;
/** tc takes rates down to a few bytes a second; below 8 kbit/s a ping already takes longer than its timeout. */
export const MIN_RATE_BITS = 8_000;
export const MAX_RATE_BITS = 100_000_000_000;

const TIME = /^(\d+(?:\.\d+)?)\s*(us|ms|s)$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const RATE = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit)$/i;
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

export type Parsed = { value: number } | { error: string };
const q = (v: unknown) => JSON.stringify(v);

/** A delay or jitter: "50ms", "500us", "1s", or a number of milliseconds. */
export function parseTime(field: string, raw: unknown): Parsed {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else if (typeof raw === 'string' && TIME.test(raw.trim())) {
    const [, n, unit] = TIME.exec(raw.trim())!;
    ms = Number(n) * TIME_UNITS[unit];
  } else return { error: `${field} ${q(raw)} must be a time such as 50ms, 500us or 1s` };
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) return { error: `${field} ${q(raw)} must be from 0 to ${MAX_DELAY_MS / 1000}s` };
  return { value: roundMs(ms) };
}

/** A share of packets: "1%", "0.1%", or a number of percent. */
export function parsePercent(field: string, raw: unknown): Parsed {
  let p: number;
  if (typeof raw === 'number') p = raw;
  else if (typeof raw === 'string' && PERCENT.test(raw.trim())) p = Number(PERCENT.exec(raw.trim())![1]);
  else return { error: `${field} ${q(raw)} must be a percentage such as 1% or 0.5%` };
  if (!Number.isFinite(p) || p < 0 || p > 100) return { error: `${field} ${q(raw)} must be a percentage from 0% to 100%` };
  return { value: roundPercent(p) };
}

/** A rate: "10mbit", "512kbit", "1gbit", or a number of bits per second. */
export function parseRate(field: string, raw: unknown): Parsed {
  let bits: number;
  if (typeof raw === 'number') bits = raw;
  else if (typeof raw === 'string' && RATE.test(raw.trim())) {
    const [, n, unit] = RATE.exec(raw.trim())!;
    bits = Number(n) * RATE_UNITS[unit.toLowerCase()];
  } else return { error: `${field} ${q(raw)} must be a rate such as 10mbit, 512kbit or 1gbit (bits per second)` };
  if (!Number.isFinite(bits) || bits < MIN_RATE_BITS || bits > MAX_RATE_BITS) {
    return { error: `${field} ${q(raw)} must be from ${formatRate(MIN_RATE_BITS)} to ${formatRate(MAX_RATE_BITS)}` };
  }
  // The kernel keeps bytes per second.
  return { value: Math.round(bits / 8) * 8 };
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function roundPercent(p: number): number {
  return Math.round(p * 10000) / 10000;
}

/**
 * Reads one file or edit form of netem (units as text or plain numbers) into
 * a spec; problems name their field. Zero values are left out: `loss: 0%` is
 * no loss. An empty result means no netem at all.
 */
export function parseNetem(raw: Record<string, unknown>): { spec: NetemSpec; errors: { field: NetemField; message: string }[] } {
  const spec: NetemSpec = {};
  const errors: { field: NetemField; message: string }[] = [];
  for (const field of NETEM_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    const parsed = field === 'rate' ? parseRate(field, value) : (TIME_FIELDS as readonly string[]).includes(field) ? parseTime(field, value) : parsePercent(field, value);
    if ('error' in parsed) errors.push({ field, message: parsed.error });
    else if (parsed.value > 0) spec[field] = parsed.value;
  }
  if (errors.length === 0) {
    if (spec.jitter !== undefined && spec.delay === undefined) errors.push({ field: 'jitter', message: `jitter ${formatTime(spec.jitter)} needs a delay; netem varies the delay by the jitter` });
    if (spec.reorder !== undefined && spec.delay === undefined) errors.push({ field: 'reorder', message: `reorder ${spec.reorder}% needs a delay; netem reorders by sending some packets ahead of the delayed ones` });
  }
  return { spec, errors };
}

export function isEmptyNetem(spec: NetemSpec | null | undefined): boolean {
  return !spec || NETEM_FIELDS.every((f) => spec[f] === undefined);
}

export function sameNetem(a: NetemSpec | null | undefined, b: NetemSpec | null | undefined): boolean {
  if (isEmptyNetem(a) || isEmptyNetem(b)) return isEmptyNetem(a) === isEmptyNetem(b);
  return NETEM_FIELDS.every((f) => (a![f] ?? 0) === (b![f] ?? 0));
}

/** "50ms", "500us": what tc takes and the file shows. */
export function formatTime(ms: number): string {
  if (Number.isInteger(ms)) return `${ms}ms`;
  return `${Math.round(ms * 1000)}us`;
}

/** "10mbit", "512kbit": what tc takes and the file shows. */
export function formatRate(bits: number): string {
  for (const [unit, size] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) if (bits % size === 0) return `${bits / size}${unit}`;
  return `${bits}bit`;
}

export function formatPercent(p: number): string {
  return `${p}%`;
}

/** The file's form: units as text. */
export function netemForFile(spec: NetemSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of NETEM_FIELDS) {
    const v = spec[f];
    if (v === undefined) continue;
    out[f] = f === 'rate' ? formatRate(v) : f === 'delay' || f === 'jitter' ? formatTime(v) : formatPercent(v);
  }
  return out;
}

/** The words after `netem` in `tc qdisc replace dev X root netem ...`. */
export function netemArgs(spec: NetemSpec): string[] {
  const args: string[] = [];
  if (spec.delay !== undefined) args.push('delay', formatTime(spec.delay), ...(spec.jitter !== undefined ? [formatTime(spec.jitter)] : []));
  if (spec.loss !== undefined) args.push('loss', formatPercent(spec.loss));
  if (spec.duplicate !== undefined) args.push('duplicate', formatPercent(spec.duplicate));
  if (spec.corrupt !== undefined) args.push('corrupt', formatPercent(spec.corrupt));
  if (spec.reorder !== undefined) args.push('reorder', formatPercent(spec.reorder));
  if (spec.rate !== undefined) args.push('rate', formatRate(spec.rate));
  return args;
}

/** A short label for a cable: "50 ms ±5, 1% loss, 10 Mbit/s". */
export function netemLabel(spec: NetemSpec): string {
  const parts: string[] = [];
  const ms = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(3).replace(/0+$/, '')} ms`;
  if (spec.delay !== undefined) parts.push(ms(spec.delay) + (spec.jitter !== undefined ? ` ±${ms(spec.jitter).replace(' ms', '')}` : ''));
  if (spec.loss !== undefined) parts.push(`${spec.loss}% loss`);
  if (spec.rate !== undefined) parts.push(rateLabel(spec.rate));
  if (spec.duplicate !== undefined) parts.push(`${spec.duplicate}% dup`);
  if (spec.corrupt !== undefined) parts.push(`${spec.corrupt}% corrupt`);
  if (spec.reorder !== undefined) parts.push(`${spec.reorder}% reorder`);
  return parts.join(', ');
}

function rateLabel(bits: number): string {
  for (const [unit, size] of [['Gbit/s', 1e9], ['Mbit/s', 1e6], ['kbit/s', 1e3]] as const) if (bits >= size) return `${+(bits / size).toFixed(2)} ${unit}`;
  return `${bits} bit/s`;
}

/** The options object of a netem qdisc in `tc -j qdisc show` (times in seconds, shares as fractions, rate in bytes per second). */
export interface TcNetemOptions {
  delay?: { delay?: number; jitter?: number };
  'loss-random'?: { loss?: number };
  duplicate?: { duplicate?: number };
  corrupt?: { corrupt?: number };
  reorder?: { reorder?: number };
  rate?: { rate?: number };
}

/** What the kernel has, in the model's units. */
export function netemFromTc(options: TcNetemOptions): NetemSpec {
  const spec: NetemSpec = {};
  const time = (s: number | undefined) => (s ? roundMs(s * 1000) : 0);
  const share = (f: number | undefined) => (f ? roundPercent(f * 100) : 0);
  const set = (field: NetemField, value: number) => {
    if (value > 0) spec[field] = value;
  };
  set('delay', time(options.delay?.delay));
  set('jitter', time(options.delay?.jitter));
  set('loss', share(options['loss-random']?.loss));
  set('duplicate', share(options.duplicate?.duplicate));
  set('corrupt', share(options.corrupt?.corrupt));
  set('reorder', share(options.reorder?.reorder));
  set('rate', (options.rate?.rate ?? 0) * 8);
  return spec;
}
