/**
 * The lesson of one lab, live: state checks re-evaluated on every change
 * the server observes, the current step's active checks run when its state
 * checks pass (and every few seconds while they fail), a step done the
 * first time all its checks pass. "Show me" and "reset" go through the
 * planner like any edit. Progress is kept with the lab (lesson.json), so it
 * survives reloads and restarts.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../engine/lab';
import type { LabCaptures, PacketBatch } from '../capture/lab-captures';
import type { PacketSummary } from '../capture/packet-view';
import type { Topology } from '../model/topology';
import { ACTIVE_KINDS, type Check } from './check';
import { evaluateState, type CheckResult } from './evaluate-state';
import { runActive } from './active-checks';
import { injectFaults } from './lesson-faults';
import { formatLessonErrors } from './lesson-file';
import { lessonFromText, loadLesson } from './lesson-library';
import { advance, currentStep, lessonView, newProgress, rewind, type LessonProgress, type LessonStatus } from './lesson-status';
import type { Lesson, LessonView } from './lesson';

const PROGRESS_FILE = 'lesson.json';
/**
 * Changes often come in bursts (a pasted block of commands): wait this long
 * for quiet before pinging. Short: the checks run only once the step's state
 * checks pass, and a change during a run runs them once more after it.
 */
const ACTIVE_DEBOUNCE_MS = 50;
/** A failing active check is tried again this often: what fixes it may be nothing the monitor sees (a qdisc). */
const ACTIVE_RETRY_MS = 5000;
/** Packets kept for packet checks, newest last. */
const MAX_PACKETS_KEPT = 500;
/** The watcher name of the lesson's own captures. */
const LESSON_WATCHER = 'lesson';

export type LessonRef = { id: string } | { source: string; name?: string };

export class LabLesson extends EventEmitter<{ lesson: [LessonView | null]; status: [LessonStatus | null] }> {
  private lesson?: Lesson;
  private progress?: LessonProgress;
  /** The current step's active results, by check index, from their last run. */
  private active = new Map<number, CheckResult>();
  private running = false;
  private again = false;
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private qdiscPoll?: NodeJS.Timeout;
  /** The interfaces the lesson's captures watch now, as one string. */
  private watchedEnds = '';
  private packets: PacketSummary[] = [];
  private lastStatus = '';
  private readonly file: string;
  private readonly onPackets = (b: PacketBatch) => this.heard(b.packets);

  constructor(
    private readonly lab: Lab,
    private readonly captures: LabCaptures,
  ) {
    super();
    this.file = path.join(lab.store.dir, PROGRESS_FILE);
    this.restore();
    captures.on('packets', this.onPackets);
  }

  /** The progress as kept (for the teacher's results). */
  progressNow(): LessonProgress | null {
    return this.progress ? structuredClone(this.progress) : null;
  }

  view(): LessonView | null {
    return this.lesson ? lessonView(this.lesson) : null;
  }

  /** Where the lab stands; `known` are this moment's results when the caller has them already. */
  status(known?: CheckResult[][]): LessonStatus | null {
    if (!this.lesson || !this.progress) return null;
    const results = known ?? this.results(this.lab.current);
    const current = currentStep(this.progress);
    return {
      lesson: this.lesson.id,
      current,
      checking: this.running,
      steps: this.lesson.steps.map((_, i) => ({ done: this.progress!.done[i] !== null, ...(this.progress!.done[i] ? { doneAt: this.progress!.done[i]! } : {}), results: results[i] })),
    };
  }

  /** Starts a lesson: its start lab is applied (through the planner), progress begins at step 1. Returns why not. */
  async start(ref: LessonRef): Promise<string | undefined> {
    const r = 'id' in ref ? loadLesson(ref.id) : lessonFromText(ref.name ?? 'my-lesson', ref.source);
    if (!r.ok) return formatLessonErrors(r.errors);
    this.lesson = r.lesson;
    this.progress = newProgress(r.lesson, new Date(), 'source' in ref ? ref.source : undefined);
    this.active.clear();
    this.packets = [];
    this.save();
    this.emit('lesson', this.view());
    const applied = await this.lab.apply(this.startTopology(), { observeAfter: true, label: `lesson "${r.lesson.title}": its starting lab` });
    this.update();
    return applied.ok ? undefined : `the lesson's starting lab could not be made: ${applied.failure?.message ?? applied.errors?.map((e) => e.message).join('; ') ?? 'see the log'}`;
  }

  stop(): void {
    this.lesson = undefined;
    this.progress = undefined;
    this.active.clear();
    clearTimeout(this.timer);
    clearTimeout(this.retry);
    clearInterval(this.qdiscPoll);
    this.qdiscPoll = undefined;
    this.watchedEnds = '';
    this.captures.unwatch(LESSON_WATCHER);
    rmSync(this.file, { force: true });
    this.emit('lesson', null);
    this.emit('status', null);
    this.lastStatus = '';
  }

  /** "Show me": the lab as the step leaves it, applied through the planner and logged. */
  async show(step: number): Promise<string | undefined> {
    const s = this.lesson?.steps[step];
    if (!s) return `step: there is no step ${step + 1}`;
    const r = await this.lab.apply(s.show, { observeAfter: true, label: `show me: step ${step + 1}, ${s.title}` });
    return r.ok ? undefined : `"show me" could not be applied: ${r.failure?.message ?? 'see the log'}`;
  }

  /** Back to the start of a step: the lab as the step before left it, and the step and those after it not done. */
  async reset(step: number): Promise<string | undefined> {
    if (!this.lesson || !this.progress || step < 0 || step >= this.lesson.steps.length) return `step: there is no step ${step + 1}`;
    rewind(this.progress, step);
    this.active.clear();
    this.packets = [];
    this.save();
    const topo = step === 0 ? this.startTopology() : this.lesson.steps[step - 1].show;
    const r = await this.lab.apply(topo, { observeAfter: true, label: `reset to the start of step ${step + 1}, ${this.lesson.steps[step].title}` });
    this.update();
    return r.ok ? undefined : `the reset could not be applied: ${r.failure?.message ?? 'see the log'}`;
  }

  /** Runs the current step's active checks now. */
  recheck(): void {
    this.schedule(0);
  }

  /** Re-evaluates against the lab as observed; called on every observed change (`changed`), and after active checks ran. */
  update(changed = true): void {
    if (!this.lesson || !this.progress) return;
    const before = currentStep(this.progress);
    let results = this.results(this.lab.current);
    if (advance(this.progress, results)) {
      this.save();
      this.active.clear();
      this.packets = [];
      // The new current step's active checks are pending now: read again, once.
      results = this.results(this.lab.current);
    }
    const now = currentStep(this.progress);
    this.watchPackets(now);
    this.pollQdiscs(now);
    const s = this.lesson.steps[now];
    if (s && s.checks.some((c) => ACTIVE_KINDS.has(c.type))) {
      const stateOk = s.checks.every((c, j) => ACTIVE_KINDS.has(c.type) || results[now][j].ok);
      if (stateOk && (changed || now !== before)) this.schedule(ACTIVE_DEBOUNCE_MS);
    }
    this.announce(results);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.retry);
    clearInterval(this.qdiscPoll);
    this.captures.off('packets', this.onPackets);
  }

  private startTopology(): Topology {
    const l = this.lesson!;
    if (!l.faults) return l.start;
    return injectFaults(l.start, l.faults.count, l.faults.kinds, `${this.lab.name}/${l.id}`).topology;
  }

  /** Every step's results: state checks live, active ones as last run for the current step (pending otherwise). */
  private results(topo: Topology | undefined): CheckResult[][] {
    const t = topo ?? { name: '', nodes: {}, links: [] };
    const current = this.progress ? currentStep(this.progress) : 0;
    return this.lesson!.steps.map((s, i) =>
      s.checks.map((c: Check, j) => {
        if (!ACTIVE_KINDS.has(c.type)) return evaluateState(c, t);
        if (i === current && this.active.has(j)) return this.active.get(j)!;
        const done = this.progress?.done[i];
        return { ...evaluateState(c, t), ok: !!done, pending: !done };
      }),
    );
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runActive(), ms);
  }

  private async runActive(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    const machine = this.lab.machine();
    const topo = this.lab.current;
    if (!this.lesson || !this.progress || !machine || !topo) return;
    const step = currentStep(this.progress);
    const s = this.lesson.steps[step];
    if (!s) return;
    this.running = true;
    this.announce();
    clearTimeout(this.retry);
    try {
      for (const [j, c] of s.checks.entries()) {
        if (!ACTIVE_KINDS.has(c.type)) continue;
        const r = await runActive(c, { machine, topology: topo, packetSeen: (on, protocol, text) => this.seen(on, protocol, text) });
        if (!this.progress || currentStep(this.progress) !== step) return;
        this.active.set(j, r);
      }
    } finally {
      this.running = false;
    }
    this.update(false);
    if (this.again) {
      this.again = false;
      this.schedule(ACTIVE_DEBOUNCE_MS);
    } else if (this.progress && currentStep(this.progress) === step && [...this.active.values()].some((r) => !r.ok)) {
      this.retry = setTimeout(() => void this.runActive(), ACTIVE_RETRY_MS);
    }
  }

  /**
   * The kernel monitor does not report qdiscs, so a `tc qdisc add` typed in a
   * terminal is seen only at the next change: while the current step checks an
   * impairment, the lab is re-read every few seconds.
   */
  private pollQdiscs(step: number): void {
    const wants = this.lesson?.steps[step]?.checks.some((c) => c.type === 'impaired') ?? false;
    if (!wants) {
      clearInterval(this.qdiscPoll);
      this.qdiscPoll = undefined;
    } else this.qdiscPoll ??= setInterval(() => void this.lab.refresh().catch(() => {}), ACTIVE_RETRY_MS);
  }

  /** The current step's packet checks need captures on their interfaces; nobody else's are touched. */
  private watchPackets(step: number): void {
    const s = this.lesson?.steps[step];
    const ends = (s?.checks ?? []).flatMap((c) => (c.type === 'packet' ? [c.packet.on] : []));
    // Unchanged: leave the captures running (restarting one would miss what crosses meanwhile).
    const key = ends.join(' ');
    if (key === this.watchedEnds) return;
    this.watchedEnds = key;
    this.captures.unwatch(LESSON_WATCHER);
    for (const e of ends) {
      const [node, iface] = e.split(':');
      this.captures.watch(LESSON_WATCHER, { node, iface });
    }
  }

  private heard(packets: PacketSummary[]): void {
    if (!this.lesson || !this.progress) return;
    const s = this.lesson.steps[currentStep(this.progress)];
    if (!s?.checks.some((c) => c.type === 'packet')) return;
    this.packets.push(...packets);
    if (this.packets.length > MAX_PACKETS_KEPT) this.packets.splice(0, this.packets.length - MAX_PACKETS_KEPT);
    this.schedule(ACTIVE_DEBOUNCE_MS);
  }

  private seen(on: string, protocol?: string, text?: string): boolean {
    return this.packets.some(
      (p) =>
        (`${p.node}:${p.iface}` === on || p.from === on || p.to === on) &&
        (!protocol || p.protocol.toLowerCase() === protocol.toLowerCase()) &&
        (!text || p.summary.toLowerCase().includes(text.toLowerCase())),
    );
  }

  private announce(results?: CheckResult[][]): void {
    const status = this.status(results);
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.emit('status', status);
  }

  private save(): void {
    if (this.progress) writeFileSync(this.file, JSON.stringify(this.progress, null, 2) + '\n', { mode: 0o600 });
  }

  private restore(): void {
    if (!existsSync(this.file)) return;
    try {
      const p = JSON.parse(readFileSync(this.file, 'utf8')) as LessonProgress;
      const r = p.source !== undefined ? lessonFromText(p.lesson, p.source) : loadLesson(p.lesson);
      if (!r.ok || r.lesson.steps.length !== p.done.length) return;
      this.lesson = r.lesson;
      this.progress = p;
    } catch {
      // A progress file that does not read is no progress.
    }
  }
}
