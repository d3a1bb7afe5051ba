/**
 * A topology file's text before yaml: the size every text is checked for,
 * and the quick reading of a plain file (plain-yaml.ts) straight into the
 * schema. Apart from topology-file.ts, so that a command reading a plain
 * file never loads yaml, 30 ms of a `vethlab apply`. Pure, no I/O.
 */
import { readPlainYaml } from './plain-yaml';
import { parseTopologyObject } from './schema';
import { failure, type Result } from './topology-errors';

/** Largest topology file accepted, from a file or over the socket. */
export const MAX_TOPOLOGY_BYTES = 512 * 1024;

/**
 * The checked topology of a text too big to take (the error) or plain
 * enough for js-yaml; undefined when it needs yaml (topology-file.ts).
 */
export function parsePlainTopology(text: string, source: string): Result | undefined {
  // UTF-8 takes at least one byte per UTF-16 unit, so a long string is too big without encoding it.
  const atLeast = text.length > MAX_TOPOLOGY_BYTES;
  const bytes = atLeast ? text.length : new TextEncoder().encode(text).length;
  if (bytes > MAX_TOPOLOGY_BYTES) {
    return failure([], bytes, `${source} is ${atLeast ? 'at least ' : ''}${bytes} bytes; at most ${MAX_TOPOLOGY_BYTES} are accepted`);
  }
  const plain = readPlainYaml(text);
  return plain.ok ? parseTopologyObject(plain.value) : undefined;
}
