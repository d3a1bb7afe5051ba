/**
 * What parsing or validating a topology returns: the normalized topology, or
 * every problem found, each naming the field path and the offending value.
 */
import type { Topology } from './topology';

export interface TopologyError {
  /** `nodes.vnet0.interfaces.veth0.addresses[1]`, `links[2].endpoints[0]`; empty for the whole file. */
  path: string;
  value?: unknown;
  /** A sentence that quotes the offending value; the path is not repeated in it. */
  message: string;
}

export type Result = { ok: true; topology: Topology } | { ok: false; errors: TopologyError[] };

export type PathPart = string | number;

/** Keys that read unambiguously after a dot; anything else is written as `["key"]`. */
const PLAIN_KEY = /^[A-Za-z0-9_.@+=-]+$/;

export function pathText(parts: readonly PathPart[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Longest rendering of a value inside a message, so a huge value cannot flood the log. */
const MAX_SHOWN_VALUE_CHARS = 80;

/** A value as a message quotes it: strings in double quotes, others as JSON. */
/** Deeper than this, a value is not shown (formatting it could overflow the stack). */
export const MAX_SHOWN_DEPTH = 16;

/** Whether a value nests arrays or objects deeper than `max`; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  let seen = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    // Wide values are bounded elsewhere (message size); stop looking after enough of them.
    if (++seen > 100_000) return false;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) text = String(value);
  else if (nestedDeeperThan(value, MAX_SHOWN_DEPTH)) text = `(a value nested more than ${MAX_SHOWN_DEPTH} levels deep)`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN_VALUE_CHARS ? `${text.slice(0, MAX_SHOWN_VALUE_CHARS - 3)}...` : text;
}

export function formatError(error: TopologyError): string {
  return error.path ? `${error.path}: ${error.message}` : error.message;
}

/** One line per error, `path: message`. */
export function formatErrors(errors: readonly TopologyError[]): string {
  return errors.map((e) => formatError(e).replace(/\r?\n/g, ' ')).join('\n');
}

export function failure(path: readonly PathPart[], value: unknown, message: string): Result {
  return { ok: false, errors: [{ path: pathText(path), value, message }] };
}
