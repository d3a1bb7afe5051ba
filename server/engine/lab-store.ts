/**
 * What the lab keeps on disk, in its data directory: its id (which makes its
 * kernel mark), diagram-only data, and a cache of the namespaces it made
 * (name -> nsfs inode) so that destroy need not enter each namespace.
 * The CLI and the server share it; writes are atomic renames.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Position } from '../model/topology';

export const DEFAULT_DATA_DIR = '/var/lib/vethlab';
const STATE_FILE = 'lab.json';

export interface LabRecord {
  labId: string;
  name: string;
  hostName: string;
  /** The host node stays on the canvas even before it has a cable. */
  showHost: boolean;
  positions: Record<string, Position>;
  namespaces: Record<string, number>;
  /** Host veth ends the lab made (also marked in the kernel), so destroy reads the root only when there are some. */
  hostEnds: string[];
}

export function dataDirFrom(explicit?: string): string {
  return explicit ?? process.env.VETHLAB_DATA_DIR ?? DEFAULT_DATA_DIR;
}

export function markOf(record: LabRecord): string {
  return `vethlab:${record.labId}`;
}

export async function loadRecord(dataDir: string): Promise<LabRecord> {
  try {
    const raw = JSON.parse(readFileSync(path.join(dataDir, STATE_FILE), 'utf8')) as Partial<LabRecord>;
    if (typeof raw.labId === 'string' && /^[0-9a-f]{8,32}$/.test(raw.labId)) {
      return {
        labId: raw.labId,
        name: typeof raw.name === 'string' ? raw.name : 'lab',
        hostName: typeof raw.hostName === 'string' ? raw.hostName : 'host',
        showHost: raw.showHost === true,
        positions: raw.positions && typeof raw.positions === 'object' ? raw.positions : {},
        namespaces: raw.namespaces && typeof raw.namespaces === 'object' ? raw.namespaces : {},
        hostEnds: Array.isArray(raw.hostEnds) ? raw.hostEnds.filter((x): x is string => typeof x === 'string') : [],
      };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
  }
  const fresh: LabRecord = { labId: randomBytes(4).toString('hex'), name: 'lab', hostName: 'host', showHost: false, positions: {}, namespaces: {}, hostEnds: [] };
  await saveRecord(dataDir, fresh);
  return fresh;
}

/**
 * Synchronous, like loadRecord: a few kilobytes written and renamed take less
 * than the thread-pool round trips of the async calls, which show in a destroy
 * that is itself only a few milliseconds.
 */
export async function saveRecord(dataDir: string, record: LabRecord): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
