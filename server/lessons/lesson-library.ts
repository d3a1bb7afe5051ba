/**
 * The shipped lessons (public/lessons/ID.md) and lessons given by path or
 * text. A start file a lesson names is read from public/topologies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LESSON_ID, MAX_LESSON_BYTES, parseLesson, type LessonResult } from './lesson-file';
import type { Lesson } from './lesson';

/** The repository's public directory: two levels up from server/lessons/ and from dist/cli/ alike. */
const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
export const LESSONS_DIR = path.join(PUBLIC_DIR, 'lessons');
const TOPOLOGIES_DIR = path.join(PUBLIC_DIR, 'topologies');

export interface LessonSummary {
  id: string;
  title: string;
  goal: string;
  steps: number;
}

function readStartFile(name: string): string | undefined {
  const file = path.join(TOPOLOGIES_DIR, name);
  return path.dirname(file) === TOPOLOGIES_DIR && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** A lesson from its text; `id` names it (a file's name without `.md`). */
export function lessonFromText(id: string, text: string): LessonResult {
  return parseLesson(id, text, readStartFile);
}

/** A shipped lesson by id, or (from the command line) a lesson file by path. */
export function loadLesson(ref: string): LessonResult | { ok: false; errors: { path: string; message: string }[]; notFound: true } {
  const shipped = path.join(LESSONS_DIR, `${ref}.md`);
  if (LESSON_ID.test(ref) && existsSync(shipped)) return lessonFromText(ref, readFileSync(shipped, 'utf8'));
  if (ref.endsWith('.md') && existsSync(ref)) {
    const size = statSync(ref).size;
    if (size > MAX_LESSON_BYTES) return { ok: false, errors: [{ path: '', message: `${ref} is ${size} bytes; at most ${MAX_LESSON_BYTES}` }] };
    const id = path.basename(ref, '.md').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '') || 'lesson';
    return lessonFromText(id, readFileSync(ref, 'utf8'));
  }
  const known = listLessons().map((l) => l.id);
  return { ok: false, notFound: true, errors: [{ path: '', message: `no lesson "${ref}": give an id (${known.join(', ')}) or the path of a .md lesson file` }] };
}

export function listLessons(): LessonSummary[] {
  if (!existsSync(LESSONS_DIR)) return [];
  return readdirSync(LESSONS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((f) => {
      const r = lessonFromText(f.slice(0, -3), readFileSync(path.join(LESSONS_DIR, f), 'utf8'));
      return r.ok ? [{ id: r.lesson.id, title: r.lesson.title, goal: r.lesson.goal, steps: r.lesson.steps.length }] : [];
    });
}

export type { Lesson };
