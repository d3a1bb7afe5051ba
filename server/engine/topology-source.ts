/**
 * Reads a topology file from disk for the CLI and `serve --topology`: the
 * size is checked before the file is read, then it is parsed and validated.
 * File-level problems carry `label` (the argument's name) as their path.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseTopologyYaml } from '../model/topology-file';
import type { Result } from '../model/topology-errors';
import { MAX_TOPOLOGY_BYTES } from '../model/topology-file';

export async function readTopologyFile(file: string, label: string): Promise<Result> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { ok: false, errors: [{ path: label, value: file, message: `cannot read "${file}": no such file` }] };
  }
  if (size > MAX_TOPOLOGY_BYTES) {
    return { ok: false, errors: [{ path: label, value: file, message: `"${file}" is ${size} bytes; topology files may be at most ${MAX_TOPOLOGY_BYTES} bytes` }] };
  }
  return parseTopologyYaml(await readFile(file, 'utf8'), file);
}
