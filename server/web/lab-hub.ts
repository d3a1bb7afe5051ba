/**
 * Everything the server runs for one lab: the Lab, the watcher that keeps it
 * following the kernel, its terminals, and its sockets (a namespace of its
 * own). Started when the server starts (or when the lab is first asked for),
 * stopped when the server stops; the lab machine itself lives on.
 */
import type { Lab } from '../engine/lab';
import { LabWatcher } from '../engine/lab-watcher';
import { TerminalManager } from '../terminal/terminal-manager';
import type { TrafficRate } from '../kernel/traffic-meter';
import { LabChannel, type LabSocket } from './lab-channel';
import { attachLab } from './socket-handlers';
import { attachTerminals } from './terminal-handlers';
import { attachCaptures } from './capture-handlers';
import { LabCaptures } from '../capture/lab-captures';
import { LabLesson } from '../lessons/lab-lesson';
import { attachLessons } from './lesson-handlers';

export class LabHub {
  readonly channel: LabChannel;
  readonly watcher: LabWatcher;
  readonly terminals: TerminalManager;
  readonly captures: LabCaptures;
  readonly lesson: LabLesson;
  private readonly detachers: (() => void)[] = [];

  constructor(
    readonly lab: Lab,
    /** Real-host mode: where the shells' home and rcfile live. */
    shellDir: string,
  ) {
    this.channel = new LabChannel(lab.name);
    this.watcher = new LabWatcher(lab);
    this.terminals = lab.realHost
      ? new TerminalManager({ dataDir: shellDir })
      : new TerminalManager({
          labMachine: async () => {
            await lab.ensureMachine();
            return lab.machineHandle!;
          },
        });
    this.captures = new LabCaptures({ machine: () => lab.machine(), current: () => lab.current });
    this.lesson = new LabLesson(lab, this.captures);
    // A new machine (after a reset) has none of the old one's processes: its terminals ended with it.
    const onMachine = () => void this.terminals.closeAll('the lab machine was reset');
    lab.on('machine', onMachine);
    this.detachers.push(() => lab.off('machine', onMachine));
  }

  /** The teacher's lab this lab's pages show, read-only (a class's demonstration), or null. */
  private shared: { lab: string; url: string } | null = null;

  setShared(view: { lab: string; url: string } | null): void {
    this.shared = view;
    this.channel.broadcast('lab-shared', view);
  }

  /** Reads the lab, applies a start topology if given, and starts following the kernel. */
  async start(): Promise<void> {
    await this.lab.refresh();
    const hub = attachLab(this.channel, this.lab);
    const terminalHub = attachTerminals(this.channel, this.lab, this.terminals);
    const captureHub = attachCaptures(this.channel, this.lab, this.captures);
    const lessonHub = attachLessons(this.channel, this.lesson);
    const onState = () => this.lesson.update();
    this.lab.on('state', onState);
    this.lesson.update();
    this.detachers.push(() => hub.detach(), () => terminalHub.detach(), () => captureHub.detach(), () => lessonHub.detach(), () => this.lab.off('state', onState));
    const onShareConnection = (socket: LabSocket) => socket.emit('lab-shared', this.shared);
    this.channel.on('connection', onShareConnection);
    this.detachers.push(() => this.channel.off('connection', onShareConnection));
    const onTraffic = (rates: TrafficRate[]) => this.channel.broadcast('traffic-update', rates);
    this.watcher.on('traffic', onTraffic);
    this.detachers.push(() => this.watcher.off('traffic', onTraffic));
    await this.watcher.start();
  }

  /** Ends the lab's shells and readers; the lab machine stays. */
  async stop(): Promise<void> {
    for (const d of this.detachers.splice(0)) d();
    await Promise.all([this.terminals.closeAll(), this.watcher.stop(), this.lesson.close(), this.captures.stop()]);
    await this.lab.close();
  }
}
