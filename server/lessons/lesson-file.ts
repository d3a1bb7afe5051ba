/**
 * Reads a lesson file: Markdown with YAML front matter (title, goal, start),
 * one step per `## heading`. In a step, fenced blocks have jobs by their
 * language: `check` (a YAML list of checks), `show` (the lab after the step,
 * as a topology file), `hint` (Markdown shown on request), and `sh` / `bash`
 * (commands, typed into the terminal of the node after the language:
 * ```sh vnet0; the host node when none is named). Everything else is the
 * step's text. Errors name the field and the value, with the file's line.
 * Format: docs/lesson-format.md.
 */
import { Lexer, type Token } from 'marked';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseTopologyObject } from '../model/schema';
import { emptyTopology, type Topology } from '../model/topology';
import { pathText, showValue, type PathPart } from '../model/topology-errors';
import { netnsNameProblem } from '../model/names';
import { nodesOf, parseCheck, type Check } from './check';
import type { FaultKind, Lesson, LessonCommand, LessonStep } from './lesson';

export const MAX_LESSON_BYTES = 256 * 1024;
const MAX_STEPS = 50;
const MAX_CHECKS_PER_STEP = 20;
const COMMAND_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);
const ROLE_LANGUAGES = new Set(['check', 'show', 'hint']);
export const LESSON_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** The host node: where the tutorials' commands are typed, and where a block runs when it names no node. */
export const HOST_NODE = 'host';

export interface LessonError {
  /** `steps[2].checks[0].interface`, `title`; empty for the whole file. */
  path: string;
  message: string;
}

export type LessonResult = { ok: true; lesson: Lesson } | { ok: false; errors: LessonError[] };

/** Reads a start file the front matter names (`start: {file: two-namespaces.yml}`). */
export type StartFileReader = (name: string) => string | undefined;

const faultKinds = z.enum(['down', 'route', 'prefix']);
const frontMatterSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    goal: z.string().trim().min(1).max(1000),
    start: z.union([z.literal('empty'), z.object({ file: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, 'a file name in public/topologies, such as two-namespaces.yml') }).strict(), z.object({ topology: z.unknown() }).strict()]).optional(),
    faults: z.object({ count: z.number().int().min(1).max(5), kinds: z.array(faultKinds).min(1).max(3).optional() }).strict().optional(),
  })
  .strict();

function issuePath(i: z.core.$ZodIssue): PathPart[] {
  return i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
}

function yamlOf(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length) return { ok: false, message: doc.errors[0].message };
    return { ok: true, value: doc.toJS({ maxAliasCount: 16 }) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

export function parseLesson(id: string, text: string, readStartFile: StartFileReader = () => undefined): LessonResult {
  const errors: LessonError[] = [];
  const report = (path: PathPart[], message: string, line?: number, suffix = '') => {
    const base = pathText(path);
    const full = !suffix ? base : suffix.startsWith('[') ? base + suffix : `${base}.${suffix}`;
    if (errors.length < 20) errors.push({ path: full, message: line ? `line ${line}: ${message}` : message });
  };
  if (!LESSON_ID.test(id)) report(['id'], `${showValue(id)} is not a lesson id: lowercase letters, digits and dashes, such as two-namespaces`);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_LESSON_BYTES) return { ok: false, errors: [{ path: '', message: `the lesson is ${bytes} bytes; at most ${MAX_LESSON_BYTES}` }] };

  // Front matter: between the first two `---` lines.
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!fm) return { ok: false, errors: [{ path: '', message: 'a lesson starts with front matter: a line "---", YAML with title and goal, and another "---"' }] };
  const fmYaml = yamlOf(fm[1]);
  if (!fmYaml.ok) return { ok: false, errors: [{ path: '', message: `the front matter is not YAML: ${fmYaml.message}` }] };
  const front = frontMatterSchema.safeParse(fmYaml.value ?? {});
  if (!front.success) {
    for (const i of front.error.issues.slice(0, 5)) {
      const message = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}; the front matter has title, goal, start and faults` : i.message;
      report(issuePath(i), message);
    }
    return { ok: false, errors };
  }
  const bodyOffset = fm[0].length;
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;

  let start: Topology = emptyTopology(id);
  const s = front.data.start;
  if (s && s !== 'empty') {
    let raw: unknown;
    if ('file' in s) {
      const content = readStartFile(s.file);
      if (content === undefined) report(['start', 'file'], `${showValue(s.file)} is not a file in public/topologies`);
      else {
        const y = yamlOf(content);
        if (!y.ok) report(['start', 'file'], `${s.file} is not YAML: ${y.message}`);
        raw = y.ok ? y.value : undefined;
      }
    } else raw = s.topology;
    if (raw !== undefined) {
      const t = parseTopologyObject(raw);
      if (t.ok) start = t.topology;
      else for (const e of t.errors.slice(0, 5)) report(['start'], e.message, undefined, e.path);
    }
  }

  // The body, step by step.
  const tokens = new Lexer().lex(text.slice(bodyOffset));
  let at = bodyOffset;
  let intro = '';
  type Draft = { title: string; line: number; text: string; hint?: string; commands: LessonCommand[]; checks: Check[]; at: number[]; show?: Topology; sawChecks: boolean; sawShow?: boolean };
  const drafts: Draft[] = [];
  for (const t of tokens as Token[]) {
    const found = text.indexOf(t.raw, at);
    const offset = found >= 0 ? found : at;
    at = offset + t.raw.length;
    const line = lineAt(offset);
    if (t.type === 'heading' && t.depth === 2) {
      drafts.push({ title: t.text.trim(), line, text: '', commands: [], checks: [], at: [], sawChecks: false });
      continue;
    }
    const step = drafts.at(-1);
    if (!step) {
      if (t.type === 'code' && ROLE_LANGUAGES.has(t.lang ?? '')) report([], `a ${t.lang} block before the first step ("## Title")`, line);
      intro += t.raw;
      continue;
    }
    const i = drafts.length - 1;
    const [lang, ...info] = (t.type === 'code' ? (t.lang ?? '') : '').trim().split(/\s+/);
    if (t.type === 'code' && lang === 'check') {
      step.sawChecks = true;
      const y = yamlOf(t.text);
      if (!y.ok) report(['steps', i, 'checks'], `not YAML: ${y.message}`, line);
      else if (!Array.isArray(y.value)) report(['steps', i, 'checks'], 'a check block is a YAML list, one check per "- " item', line);
      else
        y.value.slice(0, MAX_CHECKS_PER_STEP + 1).forEach((raw, j) => {
          if (j >= MAX_CHECKS_PER_STEP) return report(['steps', i, 'checks'], `more than ${MAX_CHECKS_PER_STEP} checks in one step`, line);
          const c = parseCheck(raw);
          if (c.ok) {
            step.checks.push(c.check);
            step.at.push(j);
          }
          else report(['steps', i, 'checks', j, ...c.issue.path], `${c.issue.message} (got ${showValue(raw)})`, line);
        });
    } else if (t.type === 'code' && lang === 'show') {
      step.sawShow = true;
      const y = yamlOf(t.text);
      if (!y.ok) report(['steps', i, 'show'], `not YAML: ${y.message}`, line);
      else {
        const topo = parseTopologyObject(y.value);
        if (topo.ok) step.show = topo.topology;
        else for (const e of topo.errors.slice(0, 5)) report(['steps', i, 'show'], e.message, line, e.path);
      }
    } else if (t.type === 'code' && lang === 'hint') {
      step.hint = t.text;
    } else {
      if (t.type === 'code' && COMMAND_LANGUAGES.has(lang)) {
        const node = info[0] ?? HOST_NODE;
        const problem = netnsNameProblem(node);
        if (problem) report(['steps', i, 'commands'], `the node after "${lang}" ${problem}`, line);
        else step.commands.push({ node, text: t.text });
      }
      step.text += t.raw;
    }
  }
  if (drafts.length === 0) report(['steps'], 'a lesson needs at least one step: a "## Title" heading, its text, and a check block');
  if (drafts.length > MAX_STEPS) report(['steps'], `${drafts.length} steps; at most ${MAX_STEPS}`);
  drafts.forEach((d, i) => {
    if (!d.title) report(['steps', i, 'title'], 'a step needs a title after "##"', d.line);
    if (!d.sawChecks) report(['steps', i, 'checks'], `step "${d.title}" has no check block: add \`\`\`check with at least one check`, d.line);
    if (!d.sawShow) report(['steps', i, 'show'], `step "${d.title}" has no show block: add \`\`\`show with the lab as it is once the step is done (for "show me" and "reset")`, d.line);
  });

  if (errors.length) return { ok: false, errors };
  // Every node a check names must be one the lesson makes somewhere.
  const made = new Set([HOST_NODE, ...Object.keys(start.nodes), ...drafts.flatMap((d) => (d.show ? Object.keys(d.show.nodes) : []))]);
  drafts.forEach((d, i) =>
    d.checks.forEach((c, j) => {
      for (const n of nodesOf(c)) if (!made.has(n)) report(['steps', i, 'checks', d.at[j], c.type], `node "${n}" is never made by this lesson (not in its start or any step's show block)`, d.line);
    }),
  );
  if (errors.length) return { ok: false, errors };
  const steps: LessonStep[] = drafts.map((d) => ({ title: d.title, text: d.text.trim(), ...(d.hint ? { hint: d.hint } : {}), commands: d.commands, checks: d.checks, show: d.show! }));
  const faults = front.data.faults ? { count: front.data.faults.count, kinds: (front.data.faults.kinds ?? ['down', 'route', 'prefix']) as FaultKind[] } : undefined;
  return { ok: true, lesson: { id, title: front.data.title, goal: front.data.goal, intro: intro.trim(), start, ...(faults ? { faults } : {}), steps } };
}

export function formatLessonErrors(errors: readonly LessonError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
}
