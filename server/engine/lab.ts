/**
 * The lab engine: the one path for every change. A desired topology is
 * checked, diffed against the kernel by the planner, and run by the runner,
 * one change at a time; every command goes to the command log.
 */
import { EventEmitter } from 'node:events';
import { CommandLog } from './command-log';
import { dataDirFrom, loadRecord, markOf, saveRecord, type LabRecord } from './lab-store';
import { preflight, type KernelFacts, type PreflightError } from './preflight';
import { buildTopology } from '../kernel/build-topology';
import { listNamespaces, type NamedNamespace } from '../kernel/namespaces';
import { readNamespaceWith, type NamespaceReaders } from '../kernel/namespace-readers';
import type { NamespaceReading } from '../kernel/ip-json';
import { describeChanges } from '../model/topology-diff';
import { namespaceMark, readNamespace, readNamespaces } from '../kernel/observe';
import { runSteps, type RunResult } from '../kernel/runner';
import { readBatch } from '../kernel/ip';
import { plan } from '../planner/plan';
import { commandLine, type Step } from '../planner/step';
import type { Position, Topology } from '../model/topology';
import type { Progress } from '../protocol';

export interface Observation {
  topology: Topology;
  facts: KernelFacts;
  /** Namespaces the lab made (by its record) that lack the mark: an earlier run stopped before setting it. */
  unmarked: string[];
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Read the kernel back afterwards and emit `state` (the server wants this; the CLI does not). */
  observeAfter?: boolean;
  /** A line for the command log saying what this change is. */
  label?: string;
}

export interface ApplyResult {
  ok: boolean;
  steps: Step[];
  errors?: PreflightError[];
  failure?: RunResult['failure'];
  observed?: Topology;
}

/** How long a namespace found foreign is trusted to stay so before it is read again. */
export const FOREIGN_RECHECK_MS = 5000;

/** What the kernel watcher saw change: namespaces by name, and whether the root did. */
export interface Changes {
  names: Set<string>;
  root: boolean;
}

export interface LabOptions {
  readers?: NamespaceReaders;
}

/** Names in use on the machine, the lab's and everybody else's. */
export interface TakenNames {
  /** Every interface in the root namespace. */
  hostInterfaces: string[];
  /** Every named namespace. */
  namespaces: string[];
}

function takenNames({ topology, facts }: Observation): TakenNames {
  const own = Object.values(topology.nodes);
  return {
    hostInterfaces: [...facts.foreign.hostInterfaces, ...own.filter((n) => n.kind === 'host').flatMap((n) => Object.keys(n.interfaces))],
    namespaces: [...facts.foreignNamespaces, ...Object.keys(topology.nodes).filter((n) => topology.nodes[n].kind === 'netns')],
  };
}

/** A topology as text without traffic counters, to tell real changes from counting packets. */
function withoutCounters(t: Topology): string {
  return JSON.stringify(t, (key, value) => (key === 'stats' ? undefined : value));
}

type LabEvents = { state: [Topology]; progress: [Progress | null] };

export class Lab extends EventEmitter<LabEvents> {
  readonly log = new CommandLog();
  readonly dataDir: string;
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * Namespaces recently found not to be this lab's (inode -> when), so they are
   * not read on every observation. Entries expire: a namespace another vethlab
   * process is creating carries its mark only a moment after it appears.
   */
  private foreignInodes = new Map<number, number>();
  private last?: Observation;

  /** Persistent per-namespace `ip` readers (the server's); without them every read spawns `ip`. */
  private readonly readers?: NamespaceReaders;
  /** The last reading of each namespace, so that an observation can re-read only what changed. */
  private readings = new Map<string, { inode: number; reading: NamespaceReading }>();
  private rootReading?: NamespaceReading;
  /**
   * Log what changed in the kernel between two observations that the lab did
   * not do itself ("observed in vnet1: ..."). The server turns this on with its
   * kernel watcher; the CLI has nothing to tell.
   */
  reportObserved = false;

  constructor(dataDir?: string, opts: LabOptions = {}) {
    super();
    this.dataDir = dataDirFrom(dataDir);
    this.readers = opts.readers;
  }

  /** The last observation, without reading the kernel. */
  get current(): Topology | undefined {
    return this.last?.topology;
  }

  async mark(): Promise<string> {
    return markOf(await loadRecord(this.dataDir));
  }

  /** Runs mutations one at a time, in order of arrival. */
  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the lab from the kernel. With `changes`, only the namespaces named
   * there (and the root if it changed) are read again; the rest come from the
   * last reading, which is still right when the kernel watcher saw no event.
   */
  async observe(changes?: Changes): Promise<Observation> {
    const record = await loadRecord(this.dataDir);
    const mark = markOf(record);
    const all = await listNamespaces();
    // A reader inside a deleted namespace would keep it (and its veth ends) alive.
    await this.readers?.sync(all.map((n) => n.name));
    const candidates = all.filter((n) => !this.isKnownForeign(n.inode));
    const reusable = (n: NamedNamespace) => changes !== undefined && !changes.names.has(n.name) && this.readings.get(n.name)?.inode === n.inode;
    const fresh = candidates.filter((n) => !reusable(n));
    const [root, freshReadings] = await Promise.all([
      changes && !changes.root && this.rootReading ? this.rootReading : this.read(undefined),
      this.readMany(fresh.map((n) => n.name)),
    ]);
    const readings = [...candidates.filter(reusable).map((n) => this.readings.get(n.name)!.reading), ...freshReadings];
    this.rootReading = root;
    const inodeOf = new Map(all.map((n) => [n.name, n.inode]));
    this.readings = new Map(readings.map((r) => [r.netns!, { inode: inodeOf.get(r.netns!)!, reading: r }]));
    const recorded = new Set(all.filter((n) => record.namespaces[n.name] === n.inode).map((n) => n.name));
    const owned = readings.filter((r) => namespaceMark(r) === mark || recorded.has(r.netns!));
    const unmarked = owned.filter((r) => namespaceMark(r) !== mark).map((r) => r.netns!);
    const ownedNames = new Set(owned.map((r) => r.netns!));
    for (const n of candidates) if (!ownedNames.has(n.name) && readings.some((r) => r.netns === n.name)) this.foreignInodes.set(n.inode, Date.now());
    const inodes = Object.fromEntries(all.filter((n) => ownedNames.has(n.name)).map((n) => [n.name, n.inode]));
    const hostEnds = root.links.filter((l) => l.ifalias === mark).map((l) => l.ifname).sort();
    if (JSON.stringify(inodes) !== JSON.stringify(record.namespaces) || JSON.stringify(hostEnds) !== JSON.stringify(record.hostEnds)) {
      await saveRecord(this.dataDir, { ...record, namespaces: inodes, hostEnds });
    }
    const { topology, foreign } = buildTopology(root, owned, {
      name: record.name,
      mark,
      hostName: record.hostName,
      showHost: record.showHost,
      positions: record.positions,
    });
    const foreignNamespaces = all.filter((n) => !ownedNames.has(n.name)).map((n) => n.name);
    this.last = { topology, facts: { foreign, foreignNamespaces }, unmarked };
    return this.last;
  }

  private read(netns: string | undefined): Promise<NamespaceReading> {
    return this.readers ? readNamespaceWith(this.readers, netns) : readNamespace(netns);
  }

  /** Reads several namespaces; one that vanished while being read is left out. */
  private async readMany(names: string[]): Promise<NamespaceReading[]> {
    if (!this.readers) return readNamespaces(names);
    const results = await Promise.allSettled(names.map((n) => this.read(n)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Observes, logging what changed without the lab (when reportObserved is on). */
  private async observeReporting(changes?: Changes): Promise<Observation & { changed: boolean }> {
    const before = this.last?.topology;
    const observation = await this.observe(changes);
    if (!before) return { ...observation, changed: true };
    const changed = withoutCounters(before) !== withoutCounters(observation.topology);
    if (changed && this.reportObserved) {
      const lines = describeChanges(before, observation.topology);
      this.log.append(lines.map((text) => ({ source: 'observed' as const, status: 'info' as const, text })));
    }
    return { ...observation, changed };
  }

  /**
   * Reads the kernel again (inside the queue, so never in the middle of a
   * change) and tells subscribers. `changes` may be a function, called when the
   * refresh starts, so a watcher can keep adding to one pending refresh.
   * With `onlyIfChanged`, subscribers hear of it only when something but the
   * counters changed.
   */
  refresh(changes?: Changes | (() => Changes), opts: { onlyIfChanged?: boolean } = {}): Promise<Topology> {
    return this.enqueue(async () => {
      const { topology, changed } = await this.observeReporting(typeof changes === 'function' ? changes() : changes);
      if (changed || !opts.onlyIfChanged) this.emit('state', topology);
      return topology;
    });
  }

  private async refreshNow(): Promise<Topology> {
    const { topology } = await this.observe();
    this.emit('state', topology);
    return topology;
  }

  /** Makes the kernel match `desired` (an already validated, normalized topology). */
  apply(desired: Topology, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.enqueue(() => this.applyNow(desired, opts));
  }

  /**
   * Applies a change computed from the kernel's current state, inside the
   * queue, so concurrent edits never fight. `edit` also learns which names are
   * taken on the machine, so new nodes and host ends avoid them.
   */
  change(edit: (current: Topology, taken: TakenNames) => Topology | { errors: PreflightError[] }, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.enqueue(async () => {
      const observation = await this.observeReporting();
      const desired = edit(observation.topology, takenNames(observation));
      if ('errors' in desired) return { ok: false, steps: [], errors: desired.errors };
      return this.applyNow(desired, opts, observation);
    });
  }

  private async applyNow(desired: Topology, opts: ApplyOptions, observed?: Observation): Promise<ApplyResult> {
    const observation = observed ?? (await this.observeReporting());
    const errors = preflight(desired, observation.facts);
    if (errors.length > 0) return { ok: false, steps: [], errors };
    const record = await loadRecord(this.dataDir);
    const steps = plan(desired, observation.topology, { mark: markOf(record), unmarked: observation.unmarked });
    if (opts.dryRun) return { ok: true, steps };

    await saveRecord(this.dataDir, diagramOf(record, desired));
    if (opts.label) this.log.append([{ source: 'info', status: 'info', text: `${opts.label}: ${countOf(steps, 'nothing to change')}` }]);
    const result = await this.run(steps, opts.label ?? 'applying');
    await this.recordNamespaces(steps, record.labId, !opts.observeAfter);
    const out: ApplyResult = { ok: result.ok, steps, failure: result.failure };
    if (opts.observeAfter) out.observed = await this.refreshNow();
    return out;
  }

  /** Removes everything this lab made, and nothing else. */
  destroy(opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.enqueue(async () => {
      const record = await loadRecord(this.dataDir);
      const mark = markOf(record);
      const all = await listNamespaces();
      const known = all.filter((n) => record.namespaces[n.name] === n.inode).map((n) => n.name);
      const unknown = all.filter((n) => record.namespaces[n.name] !== n.inode && !this.isKnownForeign(n.inode));
      const marked = (await this.readMany(unknown.map((n) => n.name))).filter((r) => namespaceMark(r) === mark).map((r) => r.netns!);
      // The root is read only when the lab may have host ends: known ones, or a lab rebuilt by an exported script.
      const readRoot = record.hostEnds.length > 0 || marked.length > 0;
      const hostEnds = readRoot ? await readHostEnds(mark) : [];
      const steps: Step[] = [
        // Host ends first: they go with their peers' namespaces too, but only asynchronously.
        ...hostEnds.map((name) => ({ args: ['link', 'del', name], reason: `remove the lab's host end ${name} (and its peer)` })),
        ...[...known, ...marked].sort().map((ns) => ({ args: ['netns', 'del', ns], reason: `remove namespace ${ns} and all in it` })),
      ];
      if (opts.dryRun) return { ok: true, steps };
      this.log.append([{ source: 'info', status: 'info', text: `destroy the lab: ${countOf(steps, 'nothing to remove')}` }]);
      const result = await this.run(steps, 'destroying');
      const removed = new Set(result.outcomes.filter((o) => o.status === 'ok' && o.step.args[0] === 'netns').map((o) => o.step.args[2]));
      const namespaces = Object.fromEntries(Object.entries(record.namespaces).filter(([name]) => !removed.has(name)));
      await saveRecord(this.dataDir, { ...record, namespaces, hostEnds: [], positions: {}, showHost: false });
      const out: ApplyResult = { ok: result.ok, steps, failure: result.failure };
      if (opts.observeAfter) out.observed = await this.refreshNow();
      return out;
    });
  }

  private isKnownForeign(inode: number): boolean {
    const seen = this.foreignInodes.get(inode);
    if (seen === undefined) return false;
    if (Date.now() - seen < FOREIGN_RECHECK_MS) return true;
    this.foreignInodes.delete(inode);
    return false;
  }

  /** Diagram-only: node positions, kept in the data directory. */
  setPositions(positions: Record<string, Position>): Promise<void> {
    return this.enqueue(async () => {
      const record = await loadRecord(this.dataDir);
      await saveRecord(this.dataDir, { ...record, positions: { ...record.positions, ...positions } });
      if (this.last) {
        for (const [name, pos] of Object.entries(positions)) {
          const node = this.last.topology.nodes[name];
          if (node) node.position = pos;
        }
      }
    });
  }

  private async run(steps: Step[], label: string): Promise<RunResult> {
    if (steps.length === 0) return { ok: true, outcomes: [] };
    this.emit('progress', { done: 0, total: steps.length, label });
    const result = await runSteps(steps, {
      onOutcomes: (outcomes) =>
        this.log.append(
          outcomes.map((o) => ({ source: 'lab' as const, text: commandLine(o.step), reason: o.step.reason, status: o.status, ...(o.message ? { message: o.message } : {}) })),
        ),
      onProgress: (done, total) => this.emit('progress', { done, total, label }),
    });
    this.emit('progress', null);
    return result;
  }

  /** Caches the inodes of the namespaces a plan created, so destroy finds them without entering each. */
  private async recordNamespaces(steps: Step[], labId: string, readHosts: boolean): Promise<void> {
    const touched = steps.some((s) => s.args[0] === 'netns');
    const hostLinks = steps.some((s) => s.netns === undefined && s.args[0] === 'link' && (s.args[1] === 'add' || s.args[1] === 'del'));
    if (!touched && !hostLinks) return;
    const record = await loadRecord(this.dataDir);
    if (record.labId !== labId) return;
    // With observeAfter, the observation that follows records the host ends anyway.
    if (hostLinks && readHosts) record.hostEnds = await readHostEnds(markOf(record));
    const added = new Set(steps.filter((s) => s.args[0] === 'netns' && s.args[1] === 'add').map((s) => s.args[2]));
    const all = await listNamespaces();
    const namespaces: Record<string, number> = {};
    for (const n of all) if (record.namespaces[n.name] === n.inode || added.has(n.name)) namespaces[n.name] = n.inode;
    await saveRecord(this.dataDir, { ...record, namespaces });
  }
}

/** `3 commands`, or what an empty plan means. */
function countOf(steps: Step[], none: string): string {
  return steps.length === 0 ? none : `${steps.length} command${steps.length === 1 ? '' : 's'}`;
}

/** The names of the root's veth ends that carry the lab's mark. */
async function readHostEnds(mark: string): Promise<string[]> {
  const [veths] = (await readBatch(undefined, ['link show type veth'])) as { ifname: string; ifalias?: string }[][];
  return veths.filter((l) => l.ifalias === mark).map((l) => l.ifname).sort();
}

/** The diagram-only data a topology carries, merged into the record. */
function diagramOf(record: LabRecord, desired: Topology): LabRecord {
  const host = Object.entries(desired.nodes).find(([, n]) => n.kind === 'host');
  const positions: Record<string, Position> = {};
  for (const [name, node] of Object.entries(desired.nodes)) {
    const pos = node.position ?? record.positions[name];
    if (pos) positions[name] = pos;
  }
  return { ...record, name: desired.name, hostName: host?.[0] ?? record.hostName, showHost: host !== undefined, positions };
}
