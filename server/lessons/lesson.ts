/** A lesson as vethlab runs it: parsed from its file (lesson-file.ts), pure data. */
import type { Topology } from '../model/topology';
import type { Check } from './check';

/** A command block of a step: typed into the terminal of `node` by its button. */
export interface LessonCommand {
  node: string;
  /** The block's lines, as the student would type them. */
  text: string;
}

export type FaultKind = 'down' | 'route' | 'prefix';

export interface LessonStep {
  title: string;
  /** Markdown, command blocks included (the page draws their buttons). */
  text: string;
  hint?: string;
  commands: LessonCommand[];
  checks: Check[];
  /** The lab once the step is done: what "show me" applies, and where the next step starts. */
  show: Topology;
}

export interface Lesson {
  id: string;
  title: string;
  goal: string;
  /** Markdown before the first step. */
  intro: string;
  /** The lab the lesson starts from; an empty lab when the file names none. */
  start: Topology;
  /** Faults put into the start, chosen per lab from its name (a troubleshooting lesson). */
  faults?: { count: number; kinds: FaultKind[] };
  steps: LessonStep[];
}

/** What the page needs to draw a lesson: everything but the topologies. */
export interface LessonView {
  id: string;
  title: string;
  goal: string;
  intro: string;
  steps: { title: string; text: string; hint?: string; commands: LessonCommand[]; checks: string[] }[];
}
