/**
 * A class: its name, its students and their labs, and what each lab starts
 * from (a lesson, or a topology file). Pure: names are checked and turned
 * into lab names here; class-store.ts keeps the roster on disk.
 */
import { labNameProblem } from '../engine/lab-registry';

export const CLASS_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;
export const MAX_STUDENTS = 200;

export interface Student {
  /** As the teacher wrote it. */
  name: string;
  lab: string;
}

export interface ClassRoster {
  name: string;
  createdAt: string;
  /** A shipped lesson every lab starts with, or a topology file's text every lab gets. */
  lesson?: string;
  topology?: string;
  students: Student[];
  /** The teacher's own lab (`CLASS-teacher`), for demonstrations. */
  teacherLab?: string;
  /** The teacher's lab is shown, read-only, in every student's page. */
  shared?: boolean;
}

/** `Ana María` → `ana-maria`: a lab name's part from a student's name. */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);
}

/** Students from a list of names, or `count` numbered ones (`s01`...); each gets a lab `CLASS-SLUG`, all distinct. */
export function studentsFor(className: string, names: string[] | number, taken: ReadonlySet<string> = new Set()): { ok: true; students: Student[] } | { ok: false; error: string } {
  if (!CLASS_NAME.test(className)) return { ok: false, error: `name: "${className.slice(0, 40)}" is not a class name: lowercase letters, digits and dashes, at most 24` };
  const list = typeof names === 'number' ? Array.from({ length: names }, (_, i) => `s${String(i + 1).padStart(2, '0')}`) : names.map((n) => n.trim()).filter(Boolean);
  if (list.length === 0) return { ok: false, error: 'students: a class needs at least one student (names, or a count)' };
  if (list.length > MAX_STUDENTS) return { ok: false, error: `students: ${list.length} students; at most ${MAX_STUDENTS} in one class` };
  const used = new Set(taken);
  const students: Student[] = [];
  for (const name of list) {
    const base = slug(name);
    if (!base) return { ok: false, error: `students: "${name.slice(0, 40)}" has no letter or digit to name a lab after` };
    let lab = `${className}-${base}`;
    for (let i = 2; used.has(lab); i++) lab = `${className}-${base}-${i}`;
    const problem = labNameProblem(lab);
    if (problem) return { ok: false, error: `students: the lab for "${name.slice(0, 40)}" ${problem}` };
    used.add(lab);
    students.push({ name, lab });
  }
  return { ok: true, students };
}
