/**
 * Keeps the lab's picture following the kernel while the server runs: the
 * kernel monitor's events become refreshes of just the namespaces that
 * changed (through the lab's queue, so never in the middle of an edit), and
 * a traffic meter reads the counters about once a second for the cables'
 * live rates.
 */
import { EventEmitter } from 'node:events';
import { KernelMonitor } from '../kernel/kernel-monitor';
import { NamespaceReaders } from '../kernel/namespace-readers';
import { TrafficMeter, type MeterTarget } from '../kernel/traffic-meter';
import type { Lab, Changes } from './lab';
import type { Topology } from '../model/topology';
import type { TrafficRate } from '../protocol';

type WatcherEvents = { traffic: [TrafficRate[]] };

export class LabWatcher extends EventEmitter<WatcherEvents> {
  private readonly monitor = new KernelMonitor();
  private readonly meter: TrafficMeter;
  private pending: Changes = { names: new Set(), root: false };
  private queued = false;
  /** Namespaces already given an nsid in the root, so `ip monitor all-nsid` hears them. */
  private watched = new Set<string>();
  private readonly onState = (topology: Topology) => void this.watchNew(topology);

  constructor(
    private readonly lab: Lab,
    readonly readers: NamespaceReaders,
  ) {
    super();
    this.meter = new TrafficMeter(readers);
  }

  async start(): Promise<void> {
    this.lab.reportObserved = true;
    this.monitor.on('changed', (names, root) => this.schedule(names, root));
    this.meter.on('rates', (rates) => this.emit('traffic', rates));
    this.lab.on('state', this.onState);
    await this.monitor.start();
    if (this.lab.current) await this.watchNew(this.lab.current);
    this.meter.start(() => this.targets());
  }

  async stop(): Promise<void> {
    this.lab.off('state', this.onState);
    this.monitor.removeAllListeners('changed');
    await Promise.all([this.monitor.stop(), this.meter.stop()]);
    await this.readers.closeAll();
  }

  /** Folds events into one pending refresh; it takes whatever has gathered when its turn in the queue comes. */
  private schedule(names: Set<string>, root: boolean): void {
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

  /** Namespaces the lab did not create itself (an exported script, an older vethlab) may lack an nsid. */
  private async watchNew(topology: Topology): Promise<void> {
    const fresh = Object.entries(topology.nodes)
      .filter(([name, node]) => node.kind === 'netns' && !this.watched.has(name))
      .map(([name]) => name);
    if (fresh.length === 0) return;
    for (const n of fresh) this.watched.add(n);
    const assigned = await this.monitor.ensureWatched(fresh).catch(() => []);
    if (assigned.length > 0) {
      this.lab.log.append(
        assigned.map((ns) => ({ source: 'lab' as const, status: 'ok' as const, text: `ip netns set ${ns} auto`, reason: `give ${ns} an id in the host's namespace, so its changes reach the canvas` })),
      );
    }
  }

  private targets(): MeterTarget[] {
    const topology = this.lab.current;
    if (!topology) return [];
    return Object.entries(topology.nodes).map(([name, node]) =>
      node.kind === 'host' ? { netns: undefined, node: name, ifaces: Object.keys(node.interfaces) } : { netns: name, node: name },
    );
  }
}
