/**
 * The lab engine: the one path for every change. A desired topology is
 * checked, diffed against the kernel by the planner, and run by the runner,
 * one change at a time; every command goes to the command log.
 *
 * A lab lives in a lab machine of its own (made on first use, see
 * machine/lab-machine.ts), or, in real-host mode, on the real machine among
 * things it does not own.
 */
import { EventEmitter } from 'node:events';
import { CommandLog } from './command-log';
import { LabStore, type LabRecord } from './lab-store';
import { LabObserver, type Changes, type Observation } from './lab-observer';
import { preflight, type PreflightError } from './preflight';
import { listNamespaces } from '../kernel/namespaces';
import { NamespaceReaders } from '../kernel/namespace-readers';
import { namespaceMark } from '../kernel/observe';
import { runSteps, type RunResult } from '../kernel/runner';
import { readBatch } from '../kernel/ip';
import { kernelCapabilities } from '../kernel/capabilities';
import { REAL_HOST, type Machine } from '../kernel/machine';
import { LabMachine } from '../machine/lab-machine';
import { holdLabLock } from '../machine/lab-lock';
import { describeChanges } from '../model/topology-diff';
import { kernelMadeRoutes, plan } from '../planner/plan';
import { planDestroy } from '../planner/destroy-plan';
import { commandLine, type Step } from '../model/step';
import { isNamespaceKind, type Position, type Topology } from '../model/topology';
import { kindModule } from '../model/kinds/kinds';

export type { Changes, Observation } from './lab-observer';

/** How far a long change has got, for a progress bar. */
export interface Progress {
  done: number;
  total: number;
  label: string;
}

export { FOREIGN_RECHECK_MS } from './lab-observer';

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
  /** What the plan did not need to do, and why (a desired route the kernel made already). */
  notes?: string[];
}

export interface LabOptions {
  /** The lab's directory: its record, its machine's record. */
  dir: string;
  /** The lab's name (its URL, `--lab`, the machine's host name). */
  name: string;
  /** Cable the real machine (one lab in its /run/netns, ownership marks) instead of a lab machine. */
  realHost?: boolean;
  /** Directories a lab machine must not see (the data directory). */
  hide?: string[];
  /** Keep one `ip -batch` reader per namespace running (the server); else every read spawns `ip`. */
  persistentReaders?: boolean;
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
    hostInterfaces: [...facts.foreign.hostInterfaces, ...own.filter((n) => kindModule(n.kind).inRoot).flatMap((n) => Object.keys(n.interfaces))],
    namespaces: [...facts.foreignNamespaces, ...Object.keys(topology.nodes).filter((n) => isNamespaceKind(topology.nodes[n].kind))],
  };
}

/** A value as text without traffic counters, to tell real changes from counting packets. */
function withoutCounters(t: unknown): string {
  return JSON.stringify(t, (key, value) => (key === 'stats' ? undefined : value));
}

/**
 * Whether two observations differ in more than counters. Parts an
 * observation shares with the one before (a namespace nobody touched keeps
 * its very objects) are not compared again: an edit of one namespace in a
 * lab of a hundred compares one.
 */
export function sameButCounters(a: Topology, b: Topology): boolean {
  if (a.name !== b.name || a.allowWideHostRoutes !== b.allowWideHostRoutes) return false;
  // Cables and dangling ends carry no counters: plain JSON, without a replacer called for every key.
  if (JSON.stringify([a.links, a.dangling]) !== JSON.stringify([b.links, b.dangling])) return false;
  const names = Object.keys(a.nodes);
  if (names.length !== Object.keys(b.nodes).length) return false;
  return names.every((n) => {
    const x = a.nodes[n];
    const y = b.nodes[n];
    if (!y) return false;
    if (x === y) return true;
    const { interfaces: xi, routes: xr, kernelRoutes: xk, ...xs } = x;
    const { interfaces: yi, routes: yr, kernelRoutes: yk, ...ys } = y;
    return (
      JSON.stringify(xs) === JSON.stringify(ys) &&
      (xi === yi || withoutCounters(xi) === withoutCounters(yi)) &&
      (xr === yr || JSON.stringify(xr) === JSON.stringify(yr)) &&
      (xk === yk || JSON.stringify(xk ?? []) === JSON.stringify(yk ?? []))
    );
  });
}

/** `machine`: the lab machine was made (a Machine) or removed (undefined). */
type LabEvents = { state: [Topology]; progress: [Progress | null]; machine: [Machine | undefined] };

export class Lab extends EventEmitter<LabEvents> {
  readonly log = new CommandLog();
  readonly name: string;
  readonly dir: string;
  readonly realHost: boolean;
  readonly store: LabStore;
  /** The lab machine; undefined in real-host mode. */
  readonly machineHandle?: LabMachine;
  private readonly observer: LabObserver;
  private readonly persistentReaders: boolean;
  /** close() was called: the server is stopping; no persistent reader may start again. */
  private closed = false;
  private readersOf?: { machine: Machine; readers: NamespaceReaders };
  private chain: Promise<unknown> = Promise.resolve();
  private last?: Observation;
  /**
   * Log what changed in the kernel between two observations that the lab did
   * not do itself ("observed in vnet1: ..."). The server turns this on with its
   * kernel watcher; the CLI has nothing to tell.
   */
  reportObserved = false;

  constructor(opts: LabOptions) {
    super();
    this.name = opts.name;
    this.dir = opts.dir;
    this.realHost = opts.realHost ?? false;
    this.persistentReaders = opts.persistentReaders ?? false;
    this.store = new LabStore(opts.dir);
    if (!this.realHost) this.machineHandle = new LabMachine({ dir: opts.dir, name: opts.name, hide: opts.hide });
    this.observer = new LabObserver(this.store, () => this.machine(), () => this.readers());
    this.machineSeen = this.machine()?.netnsDir;
  }

  /** The machine the lab last took up, by its netns directory (which names its PID 1); undefined for none. */
  private machineSeen?: string;

  /** The lab's machine is now `machine` (made here or by another process) or none: cached readings and readers start over, and 'machine' tells the rest. */
  private takeUp(machine: Machine | undefined): void {
    this.machineSeen = machine?.netnsDir;
    this.observer.reset();
    if (this.readersOf && this.readersOf.machine.netnsDir !== machine?.netnsDir) {
      void this.readersOf.readers.closeAll();
      this.readersOf = undefined;
    }
    this.emit('machine', machine);
  }

  /**
   * Another process (a CLI's apply, exec or destroy) may have made or ended
   * the lab machine: once its edit is over (the edit lock), takes up the
   * machine there is now and reads it whole. Nothing when it is the one the
   * lab knows (its own start, say).
   */
  followMachine(): Promise<void> {
    if (this.realHost) return Promise.resolve();
    return this.mutate(async () => {
      const machine = this.machine();
      if (machine?.netnsDir === this.machineSeen) return;
      this.takeUp(machine);
      await this.refreshNow();
    });
  }

  /** Where the lab's commands run, or undefined while its lab machine does not exist. */
  machine(): Machine | undefined {
    if (this.realHost) return REAL_HOST;
    return this.machineHandle!.machineIfRunning();
  }

  /** The persistent readers of the current machine (made anew with the machine). */
  readers(): NamespaceReaders | undefined {
    // Closed: a late watcher tick or meter round reads the plain way, and leaves no reader process behind.
    if (!this.persistentReaders || this.closed) return undefined;
    const machine = this.machine();
    if (!machine) return undefined;
    if (this.readersOf?.machine.netnsDir !== machine.netnsDir) {
      void this.readersOf?.readers.closeAll();
      this.readersOf = { machine, readers: new NamespaceReaders({ machine }) };
    }
    return this.readersOf.readers;
  }

  /** The last observation, without reading the kernel. */
  get current(): Topology | undefined {
    return this.last?.topology;
  }

  /** The mark of what a real-host lab made; undefined for a lab machine, which needs none. */
  get mark(): string | undefined {
    return this.realHost ? this.store.mark : undefined;
  }

  /** Runs mutations one at a time, in order of arrival. */
  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A change to the kernel: in the queue, and under the lab's edit lock, so no other process (a CLI, a second server) changes the lab meanwhile. */
  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      const release = await holdLabLock(this.dir, 'edit');
      try {
        return await fn();
      } finally {
        release();
      }
    });
  }

  /** Makes the lab machine unless it is running (nothing in real-host mode). */
  async ensureMachine(): Promise<Machine> {
    if (this.realHost) return REAL_HOST;
    if (await this.machineHandle!.ensure()) {
      const machine = this.machineHandle!.machine();
      this.log.append([{ source: 'info', status: 'info', text: `lab machine ${this.name} started` }]);
      this.takeUp(machine);
      return machine;
    }
    // Running already: perhaps made by another process since the lab last looked.
    const machine = this.machineHandle!.machine();
    if (machine.netnsDir !== this.machineSeen) this.takeUp(machine);
    return machine;
  }

  /**
   * What the kernel monitor heard change since the last observation; 'all'
   * while nobody listens (the CLI), so every observation reads everything.
   */
  private unheard: Changes | 'all' = 'all';
  private listened = false;

  /** The watcher listens to the kernel from now on (true) or no more (false). */
  listening(on: boolean): void {
    this.listened = on;
    this.unheard = 'all';
  }

  /** The watcher heard these change. */
  heard(changes: Changes): void {
    if (this.unheard === 'all') return;
    for (const n of changes.names) this.unheard.names.add(n);
    this.unheard.root ||= changes.root;
  }

  /**
   * Reads the lab from the kernel. Without `changes`, all of it. With
   * `changes`, only the namespaces named there or heard to change by the
   * watcher (and the root if it changed) are read again; the rest come from
   * the last reading, which is still right when the kernel monitor heard
   * nothing of them. Without a watcher, `changes` are not enough: all of it.
   */
  async observe(changes?: Changes): Promise<Observation> {
    const heard = this.unheard;
    this.unheard = this.listened ? { names: new Set(), root: false } : 'all';
    const partial = heard === 'all' || changes === undefined ? undefined : { names: new Set([...heard.names, ...changes.names]), root: heard.root || changes.root };
    try {
      this.last = await this.observer.observe(partial);
    } catch (e) {
      this.unheard = 'all';
      throw e;
    }
    return this.last;
  }

  /** What an edit must read before it plans: only what the watcher heard change, when one listens. */
  private get justHeard(): Changes | undefined {
    return this.listened ? { names: new Set(), root: false } : undefined;
  }

  /** Observes, logging what changed without the lab (when reportObserved is on). */
  private async observeReporting(changes?: Changes): Promise<Observation & { changed: boolean }> {
    const before = this.last?.topology;
    const observation = await this.observe(changes);
    if (!before) return { ...observation, changed: true };
    const changed = before !== observation.topology && !sameButCounters(before, observation.topology);
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

  private async refreshNow(changes?: Changes): Promise<Topology> {
    const { topology } = await this.observe(changes);
    this.emit('state', topology);
    return topology;
  }

  /** Makes the kernel match `desired` (an already validated, normalized topology). */
  apply(desired: Topology, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.mutate(() => this.applyNow(desired, opts));
  }

  /**
   * Applies a change computed from the kernel's current state, inside the
   * queue, so concurrent edits never fight. `edit` also learns which names are
   * taken on the machine, so new nodes and host ends avoid them.
   */
  change(edit: (current: Topology, taken: TakenNames) => Topology | { errors: PreflightError[] }, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.mutate(async () => {
      const observation = await this.observeReporting(this.justHeard);
      const desired = edit(observation.topology, takenNames(observation));
      if ('errors' in desired) return { ok: false, steps: [], errors: desired.errors };
      return this.applyNow(desired, opts, observation);
    });
  }

  private async applyNow(desired: Topology, opts: ApplyOptions, observed?: Observation): Promise<ApplyResult> {
    const observation = observed ?? (await this.observeReporting(this.justHeard));
    const needsNetem = desired.links.some((l) => l.netem?.some((n) => n !== null));
    const netem = needsNetem ? (await kernelCapabilities()).netem : true;
    const errors = preflight(desired, observation.facts, { realHost: this.realHost, netem });
    if (errors.length > 0) return { ok: false, steps: [], errors };
    const steps = plan(desired, observation.topology, { mark: this.mark, unmarked: observation.unmarked });
    const notes = kernelRouteNotes(desired, observation.topology);
    if (opts.dryRun) return { ok: true, steps, notes };

    this.store.update(diagramOf(this.store.record, desired));
    const machine = await this.ensureMachine();
    if (opts.label) this.log.append([{ source: 'info', status: 'info', text: `${opts.label}: ${countOf(steps, 'nothing to change')}` }]);
    if (notes.length > 0) this.log.append(notes.map((text) => ({ source: 'info' as const, status: 'info' as const, text })));
    if (this.realHost) this.recordPending(steps);
    const result = await this.run(machine, steps, opts.label ?? 'applying');
    this.observer.forgetForeign(steps.flatMap((s) => s.creates?.namespaces ?? []));
    if (this.realHost) await this.recordNamespaces(steps, !opts.observeAfter);
    const out: ApplyResult = { ok: result.ok, steps, failure: result.failure };
    if (opts.observeAfter) out.observed = await this.refreshNow(touchedBy(steps));
    return out;
  }

  /** Removes everything this lab made, and nothing else: its whole lab machine, or (real-host mode) what it owns. */
  destroy(opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.mutate(async () => {
      if (!this.realHost) return this.destroyMachine(opts);
      const record = this.store.record;
      const mark = this.store.mark;
      const all = await listNamespaces(REAL_HOST.netnsDir);
      const known = all.filter((n) => record.namespaces[n.name] === n.inode || record.pending.namespaces.includes(n.name)).map((n) => n.name);
      const unknown = all.filter((n) => !known.includes(n.name) && !this.observer.isKnownForeign(n));
      const marked = (await this.observer.readMany(REAL_HOST, unknown.map((n) => n.name))).filter((r) => namespaceMark(r) === mark).map((r) => r.netns!);
      // The root is read only when the lab may have host ends: known ones, or a lab rebuilt by an exported script.
      const readRoot = record.hostEnds.length > 0 || record.pending.hostEnds.length > 0 || marked.length > 0;
      const hostEnds = readRoot ? await readHostEnds(mark, record.pending.hostEnds) : [];
      const steps = planDestroy({ hostEnds, namespaces: [...known, ...marked] });
      if (opts.dryRun) return { ok: true, steps };
      this.log.append([{ source: 'info', status: 'info', text: `destroy the lab: ${countOf(steps, 'nothing to remove')}` }]);
      const result = await this.run(REAL_HOST, steps, 'destroying');
      const removed = new Set(result.outcomes.filter((o) => o.status === 'ok').flatMap((o) => o.step.removes?.namespaces ?? []));
      const namespaces = Object.fromEntries(Object.entries(record.namespaces).filter(([name]) => !removed.has(name)));
      this.store.update({ namespaces, hostEnds: [], pending: { namespaces: [], hostEnds: [] }, positions: {}, keptRoutes: {}, showHost: false });
      const out: ApplyResult = { ok: result.ok, steps, failure: result.failure };
      if (opts.observeAfter) out.observed = await this.refreshNow();
      return out;
    });
  }

  private async destroyMachine(opts: ApplyOptions): Promise<ApplyResult> {
    const handle = this.machineHandle!;
    const exists = handle.running || handle.cgroup !== undefined;
    if (opts.dryRun || !exists) return { ok: true, steps: [], ...(opts.observeAfter ? { observed: await this.refreshNow() } : {}) };
    this.log.append([{ source: 'info', status: 'info', text: `destroy the lab: end lab machine ${this.name} and everything in it` }]);
    await this.readersOf?.readers.closeAll();
    this.readersOf = undefined;
    await handle.destroy();
    this.store.update({ positions: {}, keptRoutes: {}, showHost: false });
    this.takeUp(undefined);
    const out: ApplyResult = { ok: true, steps: [] };
    if (opts.observeAfter) out.observed = await this.refreshNow();
    return out;
  }

  /** Diagram-only: node positions, kept in the lab's record. */
  setPositions(positions: Record<string, Position>): Promise<void> {
    return this.enqueue(async () => {
      this.store.update({ positions: { ...this.store.record.positions, ...positions } });
      if (this.last) {
        for (const [name, pos] of Object.entries(positions)) {
          const node = this.last.topology.nodes[name];
          if (node) node.position = pos;
        }
      }
    });
  }

  /** Ends the persistent readers (the server stops; the machine lives on). */
  async close(): Promise<void> {
    this.closed = true;
    await this.readersOf?.readers.closeAll();
    this.readersOf = undefined;
  }

  private async run(machine: Machine, steps: Step[], label: string): Promise<RunResult> {
    if (steps.length === 0) return { ok: true, outcomes: [] };
    let shown = false;
    const result = await runSteps(
      steps,
      {
        onOutcomes: (outcomes) =>
          this.log.append(
            outcomes.map((o) => ({
              source: 'lab' as const,
              text: commandLine(o.step),
              reason: o.step.reason,
              status: o.status,
              ...(o.step.bookkeeping ? { bookkeeping: true } : {}),
              ...(o.message ? { message: o.message } : {}),
            })),
          ),
        onProgress: (done, total) => {
          shown = true;
          this.emit('progress', { done, total, label });
        },
      },
      machine,
      this.readers(),
    );
    if (shown) this.emit('progress', null);
    return result;
  }

  /** Real-host mode: names the run will create, recorded before it runs (a kill -9 midway leaves them findable). */
  private recordPending(steps: Step[]): void {
    const namespaces = steps.flatMap((s) => s.creates?.namespaces ?? []);
    const hostEnds = steps.flatMap((s) => s.creates?.hostEnds ?? []);
    if (namespaces.length === 0 && hostEnds.length === 0) return;
    const pending = this.store.record.pending;
    this.store.update({ pending: { namespaces: [...new Set([...pending.namespaces, ...namespaces])], hostEnds: [...new Set([...pending.hostEnds, ...hostEnds])] } });
  }

  /** Real-host mode: caches the inodes of the namespaces a plan created, so destroy finds them without entering each. */
  private async recordNamespaces(steps: Step[], readHosts: boolean): Promise<void> {
    const touched = steps.some((s) => s.creates?.namespaces || s.removes?.namespaces);
    const hostLinks = steps.some((s) => s.creates?.hostEnds?.length || s.removes?.hostEnds?.length);
    if (!touched && !hostLinks) return;
    const record = this.store.record;
    const mark = this.store.mark;
    const update: Partial<LabRecord> = {};
    // With observeAfter, the observation that follows records the host ends anyway.
    if (hostLinks && readHosts) update.hostEnds = await readHostEnds(mark, []);
    const added = new Set(steps.flatMap((s) => s.creates?.namespaces ?? []));
    const all = await listNamespaces(REAL_HOST.netnsDir);
    const namespaces: Record<string, number> = {};
    for (const n of all) if (record.namespaces[n.name] === n.inode || added.has(n.name)) namespaces[n.name] = n.inode;
    update.namespaces = namespaces;
    // Whatever the run made is now marked or recorded; what it did not make was never created.
    const stillPending = record.pending.namespaces.filter((n) => !added.has(n) && all.some((a) => a.name === n));
    update.pending = { namespaces: stillPending, hostEnds: [] };
    this.store.update(update);
  }
}

/** The namespaces a plan ran commands in, and whether it ran any in the root. */
function touchedBy(steps: Step[]): Changes {
  return { names: new Set(steps.flatMap((s) => (s.netns ? [s.netns] : []))), root: steps.some((s) => !s.netns) };
}

/** `3 commands`, or what an empty plan means. */
function countOf(steps: Step[], none: string): string {
  return steps.length === 0 ? none : `${steps.length} command${steps.length === 1 ? '' : 's'}`;
}

/** The names of the root's veth ends and bridges that carry the lab's mark (or that a run was about to make). */
async function readHostEnds(mark: string, pending: readonly string[]): Promise<string[]> {
  const [veths, bridges] = (await readBatch(undefined, ['link show type veth', 'link show type bridge'])) as { ifname: string; ifalias?: string }[][];
  return [...veths, ...bridges].filter((l) => l.ifalias === mark || pending.includes(l.ifname)).map((l) => l.ifname).sort();
}

/** The diagram-only data a topology carries, merged into the record. */
function diagramOf(record: LabRecord, desired: Topology): Partial<LabRecord> {
  const host = Object.entries(desired.nodes).find(([, n]) => n.kind === 'host');
  const positions: Record<string, Position> = {};
  for (const [name, node] of Object.entries(desired.nodes)) {
    const pos = node.position ?? record.positions[name];
    if (pos) positions[name] = pos;
  }
  return { name: desired.name, hostName: host?.[0] ?? record.hostName, showHost: host !== undefined, positions, keptRoutes: kernelMadeRoutes(desired) };
}

/** Sentences for the log about desired routes the kernel made already, which need no command. */
function kernelRouteNotes(desired: Topology, observed: Topology): string[] {
  const notes: string[] = [];
  for (const [node, routes] of Object.entries(kernelMadeRoutes(desired))) {
    for (const r of routes) {
      const already = observed.nodes[node]?.routes.some((o) => o.to === r.to && o.dev === r.dev && !o.via);
      if (!already) notes.push(`route ${r.to} dev ${r.dev} on ${node} needs no command: the kernel added it for ${r.to} on ${r.dev}; it is kept in the lab's file`);
    }
  }
  return notes;
}
