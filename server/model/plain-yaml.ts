/**
 * The quick reading of a topology file. js-yaml reads a plain file (no
 * aliases, directives, duplicate or complex keys) five or more times faster
 * than yaml, whose parser is a lexer, a CST and a document of nodes: on a
 * 100-namespace file it took most of `vethlab apply`'s own time. Both follow
 * the YAML 1.2 core schema, so a file read here gives what yaml gives.
 * Anything else, every file with an error included, is left to yaml, which
 * reports errors with their line and bounds alias expansion
 * (topology-file.ts). Pure, no I/O.
 */
import { load } from 'js-yaml';

export type PlainYaml = { ok: true; value: unknown } | { ok: false };

/** Deeper than a topology file goes; js-yaml refuses deeper ones itself. */
const MAX_DEPTH = 64;

export function readPlainYaml(text: string): PlainYaml {
  // A directive (`%YAML 1.1`, `%TAG`) may change how the rest reads; yaml says what it makes of it.
  if (/^%/m.test(text)) return { ok: false };
  let value: unknown;
  try {
    value = load(text, { maxAliases: 0, maxDepth: MAX_DEPTH });
  } catch {
    return { ok: false };
  }
  return hasNullKey(value) ? { ok: false } : { ok: true, value };
}

/**
 * A key written `null` or `~` is "null" to js-yaml and "" to yaml, and a
 * quoted "null" cannot be told from it here: such a file goes to yaml.
 */
function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== 'object') return false;
  for (const [key, child] of Object.entries(value)) if (key === 'null' || hasNullKey(child)) return true;
  return false;
}
