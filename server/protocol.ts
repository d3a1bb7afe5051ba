/**
 * The socket.io protocol between the browser and the server: every event name
 * and payload type, and the validators the server applies to every incoming
 * payload. The client imports this module for types only.
 * Documented for scripts in docs/protocol.md.
 */
import { z } from 'zod';
import type { Position, RouteSpec, Topology } from './model/topology';
import type { TopologyPatch } from './model/topology-patch';
import { ifaceName, labEditSchema, nodeName, type LabEdit } from './model/lab-edit';
import type { LogEntry } from './engine/command-log';
import type { Progress } from './engine/lab';
import type { TerminalInfo } from './terminal/terminal-info';
import type { TrafficRate } from './kernel/traffic-meter';
import type { MacEntry } from './kernel/bridge-fdb';
import { EXPORT_FORMATS } from './export/export-lab';
import type { CaptureScope } from './capture/capture-scope';
import type { CaptureInfo, CaptureList, DownloadRequest, PacketBatch } from './capture/lab-captures';
import type { LayerDetail, PacketDetail, PacketSummary } from './capture/packet-view';
import type { Field, LayerKind } from './capture/decode/layer';
import { MAX_FILTER_CHARS } from './capture/capture-filter';
import type { LessonView } from './lessons/lesson';
import type { LessonStatus, StepStatus } from './lessons/lesson-status';
import type { LessonSummary } from './lessons/lesson-library';
import type { CheckResult } from './lessons/evaluate-state';
import { MAX_LESSON_BYTES } from './lessons/lesson-file';
import type { ClassSummary, StudentLink } from './classroom/classroom';
import type { ClassTile } from './classroom/class-tile';
import type { ResultRow } from './classroom/results';
import { MAX_TOPOLOGY_BYTES as TOPOLOGY_LIMIT } from './model/topology-text';
import { nestedDeeperThan, showValue } from './model/topology-errors';

/** No payload of the protocol nests deeper than this. */
export const MAX_PAYLOAD_DEPTH = 8;

export interface LabState {
  topology: Topology;
  /** Increases with every broadcast. */
  version: number;
}

/**
 * A change of the lab's state, sent instead of the whole state when few
 * nodes changed: a browser whose state has version `base` applies it
 * (applyTopologyPatch) and has `version`; any other asks `lab-resync`.
 */
export interface LabPatch {
  base: number;
  version: number;
  patch: TopologyPatch;
}

/** Largest socket.io message; a topology file plus framing. */
export const MAX_SOCKET_MESSAGE_BYTES = 1024 * 1024;

export { MAX_TOPOLOGY_BYTES } from './model/topology-text';
export { labEditSchema };
export type { LabEdit, LogEntry, Progress, TerminalInfo, TrafficRate };

export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: string; field?: string };

// ---- validators (server side) ----

export const exportSchema = z.object({ format: z.enum(EXPORT_FORMATS) });
export type ExportRequest = z.infer<typeof exportSchema>;

/** Asks for a switch's MAC table (`bridge fdb show br NODE`). */
export const macTableSchema = z.object({ node: nodeName });
export type { MacEntry };

/** A cable (its link key, `ns1:veth0 <-> ns2:veth1`), a node, or one interface of a node. */
export const captureScopeSchema = z.union([z.object({ link: z.string().min(1).max(300) }).strict(), z.object({ node: nodeName, iface: ifaceName.optional() }).strict()]);
export const captureWatchSchema = z.object({ scope: captureScopeSchema }).strict();
export const captureUnwatchSchema = z.object({ scope: captureScopeSchema.optional() }).strict();
export const captureFilterSchema = z.object({ expression: z.string().max(MAX_FILTER_CHARS) }).strict();
export const packetDetailSchema = z.object({ id: z.number().int().positive() }).strict();
export const captureDownloadSchema = z
  .object({
    link: z.string().min(1).max(300).optional(),
    node: nodeName.optional(),
    since: z.number().nonnegative().optional(),
    last: z.number().int().positive().optional(),
  })
  .strict();
export type { CaptureScope, CaptureInfo, CaptureList, DownloadRequest, PacketBatch, PacketSummary, PacketDetail, LayerDetail, Field, LayerKind };

/** A shipped lesson by id, or a teacher's own lesson file's text. */
export const lessonStartSchema = z.union([
  z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a lesson id: lowercase letters, digits and dashes') }).strict(),
  z.object({ source: z.string().max(MAX_LESSON_BYTES), name: z.string().max(100).optional() }).strict(),
]);
export const lessonStepSchema = z.object({ step: z.number().int().min(0).max(100) }).strict();
export const emptySchema = z.object({}).strict();
export type { LessonView, LessonStatus, StepStatus, LessonSummary, CheckResult };

// ---- the teacher's page (the /admin namespace, admin token only) ----

const className = z.string().regex(/^[a-z0-9][a-z0-9-]{0,23}$/, 'a class name: lowercase letters, digits and dashes, at most 24');
const studentNames = z.array(z.string().min(1).max(64)).min(1).max(200);
export const classCreateSchema = z
  .object({
    name: className,
    students: z.union([studentNames, z.number().int().min(1).max(200)]),
    lesson: z.string().max(64).optional(),
    topology: z.string().max(TOPOLOGY_LIMIT).optional(),
  })
  .strict();
export const classNameSchema = z.object({ name: className }).strict();
export const classAddSchema = z.object({ name: className, students: studentNames }).strict();
export const classLabSchema = z.object({ name: className, lab: z.string().min(1).max(64) }).strict();
export const classResetSchema = z.object({ name: className, lab: z.string().min(1).max(64).optional(), step: z.number().int().min(0).max(100).optional() }).strict();
export const classShareSchema = z.object({ name: className, on: z.boolean() }).strict();
export const classResultsSchema = z.object({ name: className, format: z.enum(['json', 'csv']) }).strict();
export type { ClassSummary, StudentLink, ClassTile, ResultRow };

export interface AdminClientToServerEvents {
  /** The classes, the lessons a class can start from, and every lab with its links. */
  'class-list': (req: Record<string, never>, ack: (r: Ack<{ classes: ClassSummary[]; lessons: LessonSummary[]; labs: { name: string; edit: string; view: string }[] }>) => void) => void;
  /** Makes a class: a lab per student (names, or a count), each started from a lesson or a topology file. */
  'class-create': (req: { name: string; students: string[] | number; lesson?: string; topology?: string }, ack: (r: Ack) => void) => void;
  'class-add': (req: { name: string; students: string[] }, ack: (r: Ack) => void) => void;
  'class-remove': (req: { name: string; lab: string }, ack: (r: Ack) => void) => void;
  /** Deletes the class and every lab of it. */
  'class-delete': (req: { name: string }, ack: (r: Ack) => void) => void;
  /** Follows a class: the reply has its join links and grid; `class-grid` follows every change. */
  'class-watch': (req: { name: string }, ack: (r: Ack<{ links: StudentLink[]; tiles: ClassTile[]; teacher?: { lab: string; edit: string; view: string }; shared: boolean }>) => void) => void;
  /** A student's lab (or, without `lab`, every lab) back to the start of the lesson, or of `step`. */
  'class-reset': (req: { name: string; lab?: string; step?: number }, ack: (r: Ack) => void) => void;
  'class-results': (req: { name: string; format: 'json' | 'csv' }, ack: (r: Ack<{ text: string }>) => void) => void;
  /** Shows the teacher's lab, read-only, in every student's page (or stops). */
  'class-share': (req: { name: string; on: boolean }, ack: (r: Ack) => void) => void;
}

export interface AdminServerToClientEvents {
  /** The watched class's grid, at most four times a second while its labs change. */
  'class-grid': (grid: { name: string; tiles: ClassTile[] }) => void;
  /** Labs made so far while a class is being made. */
  'class-progress': (p: { name: string; done: number; total: number }) => void;
}

export const terminalOpenSchema = z.object({
  node: nodeName,
  /** Run `ping -c 3 TARGET` instead of a shell. */
  ping: z.string().max(64).optional(),
  cols: z.number().optional(),
  rows: z.number().optional(),
});
export type TerminalOpen = z.infer<typeof terminalOpenSchema>;
const terminalId = z.string().regex(/^t[0-9]{1,9}$/);
export const terminalInputSchema = z.object({ id: terminalId, data: z.string().max(64 * 1024) });
export const terminalResizeSchema = z.object({ id: terminalId, cols: z.number(), rows: z.number() });
export const terminalAckSchema = z.object({ id: terminalId, chars: z.number().int().nonnegative() });
export const terminalRefSchema = z.object({ id: terminalId });

// ---- event maps ----

export interface ClientToServerEvents {
  'lab-edit': (edit: LabEdit, ack: (r: Ack) => void) => void;
  /** The whole state again: for a browser that missed a patch's base. */
  'lab-resync': (req: Record<string, never>, ack: (r: Ack<{ state: LabState }>) => void) => void;
  'lab-export': (req: ExportRequest, ack: (r: Ack<{ text: string }>) => void) => void;
  /** A switch's MAC table, read when asked (the inspector asks every few seconds while it shows a switch). */
  'mac-table': (req: { node: string }, ack: (r: Ack<{ entries: MacEntry[] }>) => void) => void;
  /** Starts capturing a cable, a node or an interface (while this browser watches it); the reply lists the lab's captures. */
  'capture-watch': (req: { scope: CaptureScope }, ack: (r: Ack<CaptureList>) => void) => void;
  /** Stops watching one scope, or (without one) everything this browser watches. */
  'capture-unwatch': (req: { scope?: CaptureScope }, ack: (r: Ack) => void) => void;
  /** Sets the capture expression (tcpdump's filter language) of every capture of the lab; '' for none. Edit links only. */
  'capture-filter': (req: { expression: string }, ack: (r: Ack) => void) => void;
  /** One captured packet decoded layer by layer, with its bytes. */
  'packet-detail': (req: { id: number }, ack: (r: Ack<{ detail: PacketDetail }>) => void) => void;
  /** The kept packets as a pcapng file. */
  'capture-download': (req: DownloadRequest, ack: (r: Ack<{ name: string; data: ArrayBuffer; packets: number }>) => void) => void;
  /** The shipped lessons (public/lessons). */
  'lesson-list': (req: Record<string, never>, ack: (r: Ack<{ lessons: LessonSummary[] }>) => void) => void;
  /** Starts a lesson in this lab: its starting lab is applied and progress begins at step 1. Edit links only. */
  'lesson-start': (req: { id: string } | { source: string; name?: string }, ack: (r: Ack) => void) => void;
  'lesson-stop': (req: Record<string, never>, ack: (r: Ack) => void) => void;
  /** "Show me": the lab as step `step` (from 0) leaves it, through the planner. */
  'lesson-show': (req: { step: number }, ack: (r: Ack) => void) => void;
  /** Back to the start of step `step`. */
  'lesson-reset': (req: { step: number }, ack: (r: Ack) => void) => void;
  /** Runs the current step's active checks (ping, path, packet) now. */
  'lesson-check': (req: Record<string, never>, ack: (r: Ack) => void) => void;
  'terminal-open': (req: TerminalOpen, ack: (r: Ack<{ id: string }>) => void) => void;
  /** Joins a running terminal; the reply carries its recent output. */
  'terminal-attach': (req: { id: string }, ack: (r: Ack<{ scrollback: string }>) => void) => void;
  'terminal-input': (req: { id: string; data: string }) => void;
  'terminal-resize': (req: { id: string; cols: number; rows: number }) => void;
  /** The client has written this many more characters of the terminal's output. */
  'terminal-ack': (req: { id: string; chars: number }) => void;
  'terminal-close': (req: { id: string }) => void;
}

/** Sent first on every connection: which lab this is, and what this link may do in it. */
export interface LabHello {
  lab: string;
  role: 'edit' | 'view' | 'admin';
  /** The lab cables the real machine (`--real-host`) rather than a lab machine. */
  realHost: boolean;
  /** The kernel can impair cables (sch_netem); without it the page says so instead of offering the settings. */
  netem: boolean;
}

export interface ServerToClientEvents {
  'lab-hello': (hello: LabHello) => void;
  'lab-state': (state: LabState) => void;
  'lab-patch': (patch: LabPatch) => void;
  /** New command log entries; on connect, the recent history. */
  'log-append': (entries: LogEntry[]) => void;
  'lab-progress': (progress: Progress | null) => void;
  /** Whether the teacher (an admin link) has the lab open: the student's page says so. */
  'lab-presence': (presence: { teacher: boolean }) => void;
  /** The teacher's lab this lab's students are shown (its view link), or null: a class's demonstration. */
  'lab-shared': (shared: { lab: string; url: string } | null) => void;
  'terminal-list': (terminals: TerminalInfo[]) => void;
  'terminal-output': (msg: { id: string; data: string }) => void;
  'terminal-exit': (msg: { id: string; reason: string }) => void;
  'traffic-update': (rates: TrafficRate[]) => void;
  /** Captured packets, every 50 ms while any arrive, to the browsers watching a capture; sampled beyond 2500 a second. */
  packets: (batch: PacketBatch) => void;
  /** The lab's lesson, on connect and when it starts or stops (null: none). */
  lesson: (lesson: LessonView | null) => void;
  /** Where the lab stands in it: every check's result, the steps done, the current step; on connect and on every change. */
  'lesson-status': (status: LessonStatus | null) => void;
  /** The lab's captures changed (started, stopped, failed) or its capture expression did. */
  'capture-list': (list: CaptureList) => void;
}

/**
 * Formats a zod error as `field: message` naming the path and value. Given the
 * input, quotes the offending value when zod's message does not.
 */
export function describeIssue(error: z.ZodError, input?: unknown): { error: string; field?: string } {
  const issue = error.issues[0];
  if (input !== undefined && nestedDeeperThan(input, MAX_PAYLOAD_DEPTH)) return { error: `the payload is nested more than ${MAX_PAYLOAD_DEPTH} levels deep; no event of vethlab's is` };
  const field = issue.path.join('.') || undefined;
  // A bad record key: the key's own check says what is wrong with it.
  let message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
  if (input !== undefined) {
    const value = valueAt(input, issue.path);
    const shown = showValue(value);
    if (value !== undefined && issue.code !== 'invalid_key' && !message.includes(shown)) message += ` (got ${shown})`;
  }
  return { error: field ? `${field}: ${message}` : message, field };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export type { Position, RouteSpec };
