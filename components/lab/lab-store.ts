/**
 * What the server last said about the lab, in slices a component reads
 * through a selector: a one-second traffic tick re-renders the cables and the
 * inspector, not the command log's rows, and a log entry does not redraw the
 * diagram. Written only by the LabClient; one lab per page.
 */
import { create } from 'zustand';
import type { LabHello, LabState, LessonStatus, LessonView, LogEntry, Progress, TrafficRate } from '@/server/protocol';
import type { TerminalTab } from './terminal-hub';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected' | 'unauthorized';

export interface LabSnapshot {
  status: ConnectionStatus;
  /** Why the connection failed, as socket.io tells. */
  statusDetail?: string;
  /** Which lab this page shows and what its link may do there. */
  hello: LabHello | null;
  /** The lab's lesson and where the lab stands in it (null: no lesson). */
  lesson: LessonView | null;
  lessonStatus: LessonStatus | null;
  /** The teacher has this lab open. */
  teacher: boolean;
  /** The teacher's lab the class is shown (its view link), or null. */
  shared: { lab: string; url: string } | null;
  state: LabState | null;
  log: LogEntry[];
  progress: Progress | null;
  terminals: TerminalTab[];
  /** Keyed by `node:iface`, smoothed (see traffic-smoothing). */
  traffic: Record<string, TrafficRate>;
}

export const INITIAL_SNAPSHOT: LabSnapshot = {
  status: 'connecting',
  hello: null,
  lesson: null,
  lessonStatus: null,
  teacher: false,
  shared: null,
  state: null,
  log: [],
  progress: null,
  terminals: [],
  traffic: {},
};

export const useLabStore = create<LabSnapshot>(() => INITIAL_SNAPSHOT);

/** The topology the page shows, or null before the first state. */
export const selectTopology = (s: LabSnapshot) => s.state?.topology ?? null;
