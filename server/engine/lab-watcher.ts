/**
 * Keeps the lab's picture following the kernel while the server runs: the
 * kernel monitor's events become refreshes of just the namespaces that
 * changed (through the lab's queue, so never in the middle of an edit), and
 * a traffic meter reads the counters about once a second for the cables'
 * live rates.
 */
import { EventEmitter } from 'node:events';
import { KernelMonitor } from '../kernel/kernel-monitor';
import type { Machine } from '../kernel/machine';
import { TrafficMeter, type MeterTarget } from '../kernel/traffic-meter';
import type { Lab, Changes } from './lab';
import { isNamespaceKind, type Topology } from '../model/topology';
import type { TrafficRate } from '../kernel/traffic-meter';

type WatcherEvents = { traffic: [TrafficRate[]] };

/** The monitor and meter of one machine; made anew when the lab's machine is. */
interface Watching {
  monitor: KernelMonitor;
  meter: TrafficMeter;
}

export class LabWatcher extends EventEmitter<WatcherEvents> {
  private watching?: Watching;
  private pending: Changes = { names: new Set(), root: false };
  private queued = false;
  /** Namespaces already given an nsid in the root, so `ip monitor all-nsid` hears them. */
  private watched = new Set<string>();
  private readonly onState = (topology: Topology) => void this.watchNew(topology);
  private readonly onMachine = (machine: Machine | undefined) => void this.switchTo(machine);
  /** Serializes machine switches. */
  private switching: Promise<void> = Promise.resolve();

  constructor(private readonly lab: Lab) {
    super();
  }

  /** Stops watching the lab machine's record. */
  private unwatchRecord?: () => void;

  async start(): Promise<void> {
    this.lab.reportObserved = true;
    this.lab.on('state', this.onState);
    this.lab.on('machine', this.onMachine);
    // A machine made or ended by another process (a CLI beside the server) is followed as this process's own.
    this.unwatchRecord = this.lab.machineHandle?.watchRecord(() => {
      this.lab.followMachine().catch((e) => {
        this.lab.log.append([{ source: 'info', status: 'error', text: 'the lab machine could not be followed', message: (e as Error).message }]);
      });
    });
    await this.switchTo(this.lab.machine());
  }

  async stop(): Promise<void> {
    this.unwatchRecord?.();
    this.unwatchRecord = undefined;
    this.lab.off('state', this.onState);
    this.lab.off('machine', this.onMachine);
    await this.switchTo(undefined);
  }

  /** The kernel monitor's process id, for measuring it. */
  get monitorPid(): number | undefined {
    return this.watching?.monitor.pid;
  }

  private switchTo(machine: Machine | undefined): Promise<void> {
    this.switching = this.switching.then(async () => {
      const old = this.watching;
      this.watching = undefined;
      this.lab.listening(false);
      if (old) {
        old.monitor.removeAllListeners('changed');
        await Promise.all([old.monitor.stop(), old.meter.stop()]);
      }
      this.watched.clear();
      const readers = this.lab.readers();
      if (!machine || !readers) return;
      const monitor = new KernelMonitor({ machine });
      const meter = new TrafficMeter(readers);
      this.watching = { monitor, meter };
      monitor.on('changed', (names, root) => this.schedule(names, root));
      // Events are lost until the monitor is back (then a full change follows): read everything meanwhile.
      monitor.on('monitor-exit', () => this.lab.listening(true));
      meter.on('rates', (rates) => this.emit('traffic', rates));
      await monitor.start();
      // From here on every change is heard, so an edit re-reads only what changed.
      this.lab.listening(true);
      if (this.lab.current) await this.watchNew(this.lab.current);
      meter.start(() => this.targets());
    });
    return this.switching;
  }

  /** Folds events into one pending refresh; it takes whatever has gathered when its turn in the queue comes. */
  private schedule(names: Set<string>, root: boolean): void {
    this.lab.heard({ names, root });
    for (const n of names) this.pending.names.add(n);
    this.pending.root ||= root;
    if (this.queued) return;
    this.queued = true;
    const take = (): Changes => {
      this.queued = false;
      const changes = this.pending;
      this.pending = { names: new Set(), root: false };
      return changes;
    };
    this.lab.refresh(take, { onlyIfChanged: true }).catch((e) => {
      this.lab.log.append([{ source: 'info', status: 'error', text: 'the kernel could not be read', message: (e as Error).message }]);
    });
  }

  /** Namespaces the lab did not create itself (typed in a terminal, an exported script) may lack an nsid. */
  private async watchNew(topology: Topology): Promise<void> {
    const monitor = this.watching?.monitor;
    if (!monitor) return;
    const fresh = Object.entries(topology.nodes)
      .filter(([name, node]) => isNamespaceKind(node.kind) && !this.watched.has(name))
      .map(([name]) => name);
    if (fresh.length === 0) return;
    for (const n of fresh) this.watched.add(n);
    const assigned = await monitor.ensureWatched(fresh).catch(() => []);
    if (assigned.length > 0) {
      this.lab.log.append(
        assigned.map((ns) => ({ source: 'lab' as const, status: 'ok' as const, bookkeeping: true, text: `ip netns set ${ns} auto`, reason: `give ${ns} an id in the host's namespace, so its changes reach the canvas` })),
      );
    }
  }

  private targets(): MeterTarget[] {
    const topology = this.lab.current;
    if (!topology) return [];
    // The host and the switches are read in the root, each for its own interfaces.
    return Object.entries(topology.nodes).map(([name, node]) =>
      isNamespaceKind(node.kind) ? { netns: name, node: name } : { netns: undefined, node: name, ifaces: Object.keys(node.interfaces) },
    );
  }
}
