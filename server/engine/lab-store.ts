/**
 * What a lab keeps on disk, in its own directory: its id (which makes its
 * kernel mark in real-host mode), diagram-only data, and (real-host mode) the
 * namespaces it made or is about to make, so that a run killed half-way leaves
 * nothing the next run cannot find. Read once, kept in memory, written on
 * change with an atomic rename. The CLI and the server share the file: a
 * stat before each use tells whether the other one wrote it meanwhile.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Position, RouteSpec } from '../model/topology';

export const DEFAULT_DATA_DIR = '/var/lib/vethlab';
const STATE_FILE = 'lab.json';

export interface LabRecord {
  labId: string;
  name: string;
  hostName: string;
  /** The host node stays on the canvas even before it has a cable. */
  showHost: boolean;
  positions: Record<string, Position>;
  /**
   * Routes the last applied topology asked for that the kernel makes by
   * itself (`10.0.1.0/24 dev veth0`), by node: shown and exported as the
   * lab's routes while the kernel has them.
   */
  keptRoutes: Record<string, RouteSpec[]>;
  /** Real-host mode: namespaces the lab made, name -> nsfs inode. */
  namespaces: Record<string, number>;
  /** Real-host mode: host veth ends the lab made (also marked in the kernel). */
  hostEnds: string[];
  /**
   * Real-host mode: names a run is about to create, written before it runs,
   * so that a run killed before it could mark or record them still owns them.
   */
  pending: { namespaces: string[]; hostEnds: string[] };
}

/** --data-dir, else $VETHLAB_DATA_DIR, else /var/lib/vethlab. An empty value counts as unset (never the working directory). */
export function dataDirFrom(explicit?: string): string {
  return explicit || process.env.VETHLAB_DATA_DIR || DEFAULT_DATA_DIR;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function keptRoutesOf(v: unknown): Record<string, RouteSpec[]> {
  if (!v || typeof v !== 'object') return {};
  const out: Record<string, RouteSpec[]> = {};
  for (const [node, routes] of Object.entries(v)) {
    if (!Array.isArray(routes)) continue;
    const ok = routes.filter((r): r is { to: string; dev: string } => typeof r?.to === 'string' && typeof r?.dev === 'string').map((r) => ({ to: r.to, dev: r.dev }));
    if (ok.length > 0) out[node] = ok;
  }
  return out;
}

function parseRecord(raw: Partial<LabRecord>): LabRecord | null {
  if (typeof raw.labId !== 'string' || !/^[0-9a-f]{8,32}$/.test(raw.labId)) return null;
  const pending = (raw.pending ?? {}) as Partial<LabRecord['pending']>;
  return {
    labId: raw.labId,
    name: typeof raw.name === 'string' ? raw.name : 'lab',
    hostName: typeof raw.hostName === 'string' ? raw.hostName : 'host',
    showHost: raw.showHost === true,
    positions: raw.positions && typeof raw.positions === 'object' ? raw.positions : {},
    keptRoutes: keptRoutesOf(raw.keptRoutes),
    namespaces: raw.namespaces && typeof raw.namespaces === 'object' ? raw.namespaces : {},
    hostEnds: strings(raw.hostEnds),
    pending: { namespaces: strings(pending.namespaces), hostEnds: strings(pending.hostEnds) },
  };
}

export class LabStore {
  readonly file: string;
  private current!: LabRecord;
  /** inode and mtime of the file as last read or written. */
  private version = '';

  /** Reads the record in `dir` (made on first use). */
  constructor(readonly dir: string) {
    this.file = path.join(dir, STATE_FILE);
    this.load();
  }

  private load(): void {
    let loaded: LabRecord | null = null;
    try {
      loaded = parseRecord(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
    }
    this.current = loaded ?? { labId: randomBytes(4).toString('hex'), name: 'lab', hostName: 'host', showHost: false, positions: {}, keptRoutes: {}, namespaces: {}, hostEnds: [], pending: { namespaces: [], hostEnds: [] } };
    if (loaded) this.version = this.fileVersion();
    else this.write();
  }

  private fileVersion(): string {
    const s = statSync(this.file, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.mtimeMs}` : '';
  }

  /** The record, read again only if another process wrote it since. */
  get record(): Readonly<LabRecord> {
    if (this.fileVersion() !== this.version) this.load();
    return this.current;
  }

  /** The alias that marks what a real-host lab made. */
  get mark(): string {
    return `vethlab:${this.record.labId}`;
  }

  /** Merges a change and writes it, unless nothing changed. */
  update(change: Partial<LabRecord>): void {
    const next = { ...this.record, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.write();
  }

  /** Synchronous: a few kilobytes written and renamed cost less than the thread-pool round trips. */
  private write(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.current, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    this.version = this.fileVersion();
  }
}
