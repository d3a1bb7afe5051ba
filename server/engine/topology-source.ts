/**
 * Reads a topology file from disk for the CLI and `serve --topology`: the
 * size is checked before the file is read, then it is parsed and validated.
 * File-level problems carry `label` (the argument's name) as their path.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Result } from '../model/topology-errors';
import { MAX_TOPOLOGY_BYTES, parsePlainTopology } from '../model/topology-text';

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
  const text = await readFile(file, 'utf8');
  // yaml, which locates errors and bounds aliases, is loaded only for a file the quick reading does not take.
  return parsePlainTopology(text, file) ?? (await import('../model/topology-file')).parseWithYaml(text, file);
}
