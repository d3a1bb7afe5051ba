/**
 * Reads a lab from the kernel into a topology, re-reading only the
 * namespaces that changed when told which did. Inside a lab machine every
 * namespace and every veth of its root is the lab's; in real-host mode the
 * lab owns what carries its mark, what its record names, and what a run was
 * about to create when it was interrupted (the record's `pending`).
 */
import { buildTopology, isOwnedHostLink } from '../kernel/build-topology';
import { listNamespaces, type NamedNamespace } from '../kernel/namespaces';
import { readNamespaceWith, type NamespaceReaders } from '../kernel/namespace-readers';
import type { NamespaceReading } from '../kernel/ip-json';
import { namespaceMark, readNamespace, readNamespaces, withQdiscs } from '../kernel/observe';
import type { Machine } from '../kernel/machine';
import { emptyTopology, type Topology } from '../model/topology';
import type { KernelFacts } from './preflight';
import type { LabStore } from './lab-store';

export interface Observation {
  topology: Topology;
  facts: KernelFacts;
  /** Namespaces (and `host:IFACE` ends) the lab owns that lack the mark: an earlier run stopped before setting it. */
  unmarked: string[];
}

/** What the kernel watcher saw change: namespaces by name, and whether the root did. */
export interface Changes {
  names: Set<string>;
  root: boolean;
}

/** How long a namespace found foreign is trusted to stay so before it is read again. */
export const FOREIGN_RECHECK_MS = 5000;

export class LabObserver {
  /** The last reading of each namespace, so that an observation can re-read only what changed. */
  private readings = new Map<string, { inode: number; reading: NamespaceReading }>();
  private rootReading?: NamespaceReading;
  /**
   * Real-host mode: namespaces recently found not to be this lab's (inode ->
   * when), so they are not read on every observation. Entries expire: a
   * namespace another vethlab process is creating carries its mark only a
   * moment after it appears.
   */
  private foreignInodes = new Map<string, number>();
  /** The last observation, and what it was made of: returned again when nothing changed since. */
  private lastMade?: { observation: Observation; record: unknown; list: string };

  constructor(
    private readonly store: LabStore,
    /** The machine to read, or undefined when the lab machine does not exist (nothing to read). */
    private readonly machine: () => Machine | undefined,
    /** The server's persistent readers of that machine, if any; without them every read spawns `ip`. */
    private readonly readers: () => NamespaceReaders | undefined = () => undefined,
  ) {}

  /** Forgets every cached reading (the machine was made anew). */
  reset(): void {
    this.readings.clear();
    this.rootReading = undefined;
    this.lastMade = undefined;
  }

  async observe(changes?: Changes): Promise<Observation> {
    const machine = this.machine();
    const record = this.store.record;
    if (!machine) {
      const topology = emptyTopology(record.name);
      if (record.showHost) topology.nodes[record.hostName] = { kind: 'host', interfaces: {}, routes: [], ...(record.positions[record.hostName] ? { position: record.positions[record.hostName] } : {}) };
      return { topology, facts: { foreign: { hostInterfaces: [], hostAddresses: [], hostRoutes: [] }, foreignNamespaces: [] }, unmarked: [] };
    }
    const confined = machine.confined;
    const mark = confined ? undefined : this.store.mark;
    const all = await listNamespaces(machine.netnsDir);
    // A reader inside a deleted namespace would keep it (and its veth ends) alive.
    await this.readers()?.sync(all);
    // Nothing heard, the same namespaces and the same record: the last observation is still the kernel's.
    const list = all.map((n) => `${n.name}:${n.inode}`).join(' ');
    const quiet = changes !== undefined && changes.names.size === 0 && !changes.root;
    if (quiet && this.lastMade && this.lastMade.record === record && this.lastMade.list === list) return this.lastMade.observation;
    const candidates = all.filter((n) => confined || !this.isKnownForeign(n));
    const reusable = (n: NamedNamespace) => changes !== undefined && !changes.names.has(n.name) && this.readings.get(n.name)?.inode === n.inode;
    const fresh = candidates.filter((n) => !reusable(n));
    const [root, freshReadings] = await Promise.all([
      changes && !changes.root && this.rootReading ? this.rootReading : this.read(machine, undefined),
      this.readMany(machine, fresh.map((n) => n.name)),
    ]);
    const readings = [...candidates.filter(reusable).map((n) => this.readings.get(n.name)!.reading), ...freshReadings];
    this.rootReading = root;
    const inodeOf = new Map(all.map((n) => [n.name, n.inode]));
    this.readings = new Map(readings.map((r) => [r.netns!, { inode: inodeOf.get(r.netns!)!, reading: r }]));

    let owned = readings;
    let unmarked: string[] = [];
    let foreignNamespaces: string[] = [];
    if (!confined) {
      const recorded = new Set(all.filter((n) => record.namespaces[n.name] === n.inode || record.pending.namespaces.includes(n.name)).map((n) => n.name));
      owned = readings.filter((r) => namespaceMark(r) === mark || recorded.has(r.netns!));
      unmarked = owned.filter((r) => namespaceMark(r) !== mark).map((r) => r.netns!);
      const ownedNames = new Set(owned.map((r) => r.netns!));
      for (const n of candidates) if (!ownedNames.has(n.name) && readings.some((r) => r.netns === n.name)) this.foreignInodes.set(foreignKey(n), Date.now());
      const inodes = Object.fromEntries(all.filter((n) => ownedNames.has(n.name)).map((n) => [n.name, n.inode]));
      const pendingEnds = root.links.filter((l) => record.pending.hostEnds.includes(l.ifname) && isOwnedHostLink(l, undefined));
      unmarked.push(...pendingEnds.filter((l) => l.ifalias !== mark).map((l) => `host:${l.ifname}`));
      const hostEnds = root.links.filter((l) => l.ifalias === mark || pendingEnds.includes(l)).map((l) => l.ifname).sort();
      this.store.update({ namespaces: inodes, hostEnds });
      foreignNamespaces = all.filter((n) => !ownedNames.has(n.name)).map((n) => n.name);
    }
    const { topology, foreign } = buildTopology(root, owned, {
      name: record.name,
      mark,
      pendingHostEnds: record.pending.hostEnds,
      hostName: record.hostName,
      showHost: record.showHost,
      positions: record.positions,
      keptRoutes: record.keptRoutes,
    });
    const observation = { topology, facts: { foreign, foreignNamespaces }, unmarked };
    this.lastMade = { observation, record: this.store.record, list };
    return observation;
  }

  private read(machine: Machine, netns: string | undefined): Promise<NamespaceReading> {
    const readers = this.readers();
    const reading = readers ? readNamespaceWith(readers, netns) : readNamespace(netns, machine);
    return reading.then((r) => withQdiscs(r, machine));
  }

  /** Reads several namespaces; one that vanished while being read is left out. */
  async readMany(machine: Machine, names: string[]): Promise<NamespaceReading[]> {
    if (!this.readers()) return Promise.all((await readNamespaces(names, machine)).map((r) => withQdiscs(r, machine)));
    const results = await Promise.allSettled(names.map((n) => this.read(machine, n)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** The lab made these namespaces: whatever had their names before is gone. */
  forgetForeign(names: Iterable<string>): void {
    const made = new Set(names);
    for (const key of [...this.foreignInodes.keys()]) if (made.has(key.slice(0, key.lastIndexOf(':')))) this.foreignInodes.delete(key);
  }

  /**
   * Keyed by name and inode: the kernel gives a freed namespace's inode number
   * to the next one made, so a namespace another process deleted a moment ago
   * must not make the lab's new one look foreign.
   */
  isKnownForeign(n: NamedNamespace): boolean {
    const key = foreignKey(n);
    const seen = this.foreignInodes.get(key);
    if (seen === undefined) return false;
    if (Date.now() - seen < FOREIGN_RECHECK_MS) return true;
    this.foreignInodes.delete(key);
    return false;
  }
}

function foreignKey(n: NamedNamespace): string {
  return `${n.name}:${n.inode}`;
}
