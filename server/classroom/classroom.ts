/**
 * A server's classes: making a class (a lab per student, each started from
 * a lesson or a topology file), adding and removing students, resetting a
 * student's lab or all of them, the teacher's grid and the results. It works
 * through the labs' hubs, so a class is nothing but labs and a roster.
 */
import { EventEmitter } from 'node:events';
import type { LabRegistry } from '../engine/lab-registry';
import type { LabHub } from '../web/lab-hub';
import { parseTopologyYaml } from '../model/topology-file';
import { formatErrors } from '../model/topology-errors';
import { loadLesson } from '../lessons/lesson-library';
import { ClassStore } from './class-store';
import { classTile, type ClassTile } from './class-tile';
import { resultRow, resultsCsv, type ResultRow } from './results';
import { studentsFor, type ClassRoster, type Student } from './roster';

export interface ClassroomDeps {
  registry: LabRegistry;
  hub(name: string): Promise<LabHub>;
  /** Stops a lab's hub and deletes the lab, machine and all. */
  dropLab(name: string): Promise<void>;
  labUrl(name: string, role: 'edit' | 'view'): string;
}

export interface ClassSummary {
  name: string;
  lesson?: string;
  students: number;
}

export interface StudentLink extends Student {
  edit: string;
  view: string;
}

export interface NewClass {
  name: string;
  students: string[] | number;
  lesson?: string;
  topology?: string;
}

/** Labs are made this many at a time: each starts a lab machine and applies its start. */
const PARALLEL_LABS = 4;

async function inBatches<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
}

export class Classroom extends EventEmitter<{ changed: [string] }> {
  readonly store: ClassStore;

  constructor(private readonly deps: ClassroomDeps) {
    super();
    this.store = new ClassStore(deps.registry.dataDir);
  }

  list(): ClassSummary[] {
    return this.store.names().flatMap((n) => {
      const c = this.store.get(n);
      return c ? [{ name: c.name, ...(c.lesson ? { lesson: c.lesson } : {}), students: c.students.length }] : [];
    });
  }

  get(name: string): ClassRoster | undefined {
    return this.store.get(name);
  }

  /** Makes the class and its labs; each lab starts from the lesson (or the topology). Returns why not. */
  async create(req: NewClass, onProgress?: (done: number, total: number) => void): Promise<string | undefined> {
    if (this.store.get(req.name)) return `name: there is already a class "${req.name}"; delete it first or pick another name`;
    const problem = this.checkStart(req);
    if (problem) return problem;
    const students = studentsFor(req.name, req.students, new Set(this.deps.registry.names()));
    if (!students.ok) return students.error;
    const teacherLab = `${req.name}-teacher`;
    if (students.students.some((s) => s.lab === teacherLab) || this.deps.registry.names().includes(teacherLab)) return `students: "${teacherLab}" is the teacher's lab; name no student "teacher"`;
    const roster: ClassRoster = {
      name: req.name,
      createdAt: new Date().toISOString(),
      ...(req.lesson ? { lesson: req.lesson } : {}),
      ...(req.topology ? { topology: req.topology } : {}),
      students: students.students,
      teacherLab,
    };
    this.store.save(roster);
    this.deps.registry.create(teacherLab);
    const failed = await this.makeLabs(roster, roster.students, onProgress);
    this.emit('changed', roster.name);
    return failed;
  }

  async add(name: string, names: string[]): Promise<string | undefined> {
    if (names.some((n) => `${name}-${n.trim().toLowerCase()}` === `${name}-teacher`)) return `students: "${name}-teacher" is the teacher's lab; name no student "teacher"`;
    const roster = this.store.get(name);
    if (!roster) return `class: there is no class "${name}"`;
    const more = studentsFor(name, names, new Set(this.deps.registry.names()));
    if (!more.ok) return more.error;
    roster.students.push(...more.students);
    this.store.save(roster);
    const failed = await this.makeLabs(roster, more.students);
    await this.announceShare(roster);
    this.emit('changed', name);
    return failed;
  }

  async remove(name: string, lab: string): Promise<string | undefined> {
    const roster = this.store.get(name);
    if (!roster) return `class: there is no class "${name}"`;
    if (!roster.students.some((s) => s.lab === lab)) return `lab: "${lab}" is not a lab of class ${name}`;
    await this.deps.dropLab(lab);
    roster.students = roster.students.filter((s) => s.lab !== lab);
    this.store.save(roster);
    this.emit('changed', name);
    return undefined;
  }

  /** Deletes every lab of the class, machines and all, and the class. */
  async delete(name: string): Promise<string | undefined> {
    const roster = this.store.get(name);
    if (!roster) return `class: there is no class "${name}"`;
    await inBatches(roster.students, PARALLEL_LABS, (s) => this.deps.dropLab(s.lab));
    if (roster.teacherLab && this.deps.registry.names().includes(roster.teacherLab)) await this.deps.dropLab(roster.teacherLab);
    this.store.remove(name);
    this.emit('changed', name);
    return undefined;
  }

  /** A student's lab back to the lesson's start (or a step's start), or to the class's topology. */
  async reset(name: string, lab: string, step = 0): Promise<string | undefined> {
    const roster = this.store.get(name);
    if (!roster?.students.some((s) => s.lab === lab)) return `lab: "${lab}" is not a lab of class ${name}`;
    return this.resetLab(roster, lab, step);
  }

  async resetAll(name: string): Promise<string | undefined> {
    const roster = this.store.get(name);
    if (!roster) return `class: there is no class "${name}"`;
    const errors: string[] = [];
    await inBatches(roster.students, PARALLEL_LABS, async (s) => {
      const e = await this.resetLab(roster, s.lab, 0);
      if (e) errors.push(`${s.lab}: ${e}`);
    });
    return errors.length ? errors.join('\n') : undefined;
  }

  /** Shows (or stops showing) the teacher's lab, read-only, in every student's page. */
  async share(name: string, on: boolean): Promise<string | undefined> {
    const roster = this.store.get(name);
    if (!roster?.teacherLab) return `name: there is no class "${name}"`;
    roster.shared = on;
    this.store.save(roster);
    await this.announceShare(roster);
    return undefined;
  }

  /** The teacher's lab and its links. */
  teacherLinks(name: string): { lab: string; edit: string; view: string } | undefined {
    const lab = this.store.get(name)?.teacherLab;
    return lab ? { lab, edit: this.deps.labUrl(lab, 'edit'), view: this.deps.labUrl(lab, 'view') } : undefined;
  }

  /** Tells every student's lab what it shows of the teacher's (after a share, and when the server starts). */
  async announceShare(roster: ClassRoster): Promise<void> {
    const view = roster.shared && roster.teacherLab ? { lab: roster.teacherLab, url: this.deps.labUrl(roster.teacherLab, 'view') } : null;
    for (const s of roster.students) (await this.deps.hub(s.lab)).setShared(view);
  }

  /** Every lab of the server with its links (the admin's overview). */
  allLabs(): { name: string; edit: string; view: string }[] {
    return this.deps.registry.names().map((name) => ({ name, edit: this.deps.labUrl(name, 'edit'), view: this.deps.labUrl(name, 'view') }));
  }

  links(name: string): StudentLink[] {
    return (this.store.get(name)?.students ?? []).map((s) => ({ ...s, edit: this.deps.labUrl(s.lab, 'edit'), view: this.deps.labUrl(s.lab, 'view') }));
  }

  async tiles(name: string): Promise<ClassTile[]> {
    const roster = this.store.get(name);
    if (!roster) return [];
    return Promise.all(
      roster.students.map(async (s) => {
        const hub = await this.deps.hub(s.lab);
        return classTile(s, hub.lab.current, hub.lesson.progressNow(), hub.lesson.status(), hub.lab.log.recent(), hub.terminals.list().filter((t) => t.alive).length);
      }),
    );
  }

  async results(name: string): Promise<ResultRow[]> {
    const roster = this.store.get(name);
    if (!roster) return [];
    return Promise.all(
      roster.students.map(async (s) => {
        const hub = await this.deps.hub(s.lab);
        return resultRow(s, hub.lesson.progressNow(), hub.lesson.status());
      }),
    );
  }

  async resultsCsv(name: string): Promise<string> {
    return resultsCsv(await this.results(name));
  }

  private checkStart(req: NewClass): string | undefined {
    if (req.lesson && req.topology) return 'a class starts from a lesson or a topology file, not both';
    if (req.lesson) {
      const l = loadLesson(req.lesson);
      if (!l.ok) return `lesson: ${l.errors.map((e) => e.message).join('; ')}`;
    }
    if (req.topology) {
      const t = parseTopologyYaml(req.topology, 'the topology file');
      if (!t.ok) return `topology: ${formatErrors(t.errors)}`;
    }
    return undefined;
  }

  private async makeLabs(roster: ClassRoster, students: Student[], onProgress?: (done: number, total: number) => void): Promise<string | undefined> {
    const errors: string[] = [];
    let done = 0;
    await inBatches(students, PARALLEL_LABS, async (s) => {
      this.deps.registry.create(s.lab);
      const e = await this.resetLab(roster, s.lab, 0, true);
      if (e) errors.push(`${s.lab}: ${e}`);
      onProgress?.(++done, students.length);
    });
    return errors.length ? errors.join('\n') : undefined;
  }

  private async resetLab(roster: ClassRoster, lab: string, step: number, fresh = false): Promise<string | undefined> {
    const hub = await this.deps.hub(lab);
    if (roster.lesson) {
      if (fresh || !hub.lesson.view()) return hub.lesson.start({ id: roster.lesson });
      return hub.lesson.reset(step);
    }
    if (roster.topology) {
      const t = parseTopologyYaml(roster.topology, 'the topology file');
      if (!t.ok) return formatErrors(t.errors);
      const r = await hub.lab.apply(t.topology, { observeAfter: true, label: `class ${roster.name}: reset` });
      return r.ok ? undefined : r.failure?.message ?? 'the reset failed; the log says why';
    }
    const r = await hub.lab.destroy({ observeAfter: true });
    return r.ok ? undefined : r.failure?.message;
  }
}
