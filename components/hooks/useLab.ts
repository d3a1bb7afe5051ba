'use client';
/**
 * The page's lab connection as React state: connects on mount, disconnects on
 * unmount, and re-renders on every server event that changes the snapshot.
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Ack, ExportRequest, LabEdit, MacEntry } from '@/server/protocol';
import { LabClient, type LabSnapshot } from '../lab/lab-client';
import type { TerminalHub } from '../lab/terminal-hub';

export interface Lab extends LabSnapshot {
  edit(edit: LabEdit): Promise<Ack>;
  exportLab(format: ExportRequest['format']): Promise<Ack<{ text: string }>>;
  macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>>;
  hub: TerminalHub | null;
  /** The connection itself, for the packet captures. */
  client: LabClient | null;
}

const OFFLINE: LabSnapshot = { status: 'connecting', hello: null, lesson: null, lessonStatus: null, teacher: false, shared: null, state: null, log: [], progress: null, terminals: [], traffic: {} };
const NOT_CONNECTED = { ok: false as const, error: 'not connected to the lab server' };
const noSubscription = () => () => {};
const offline = () => OFFLINE;

export function useLab(): Lab {
  const [client, setClient] = useState<LabClient | null>(null);

  useEffect(() => {
    const c = new LabClient();
    c.start();
    setClient(c);
    return () => c.stop();
  }, []);

  const snapshot = useSyncExternalStore(client?.subscribe ?? noSubscription, client?.getSnapshot ?? offline, offline);

  const actions = useMemo(
    () => ({
      edit: (e: LabEdit) => client?.edit(e) ?? Promise.resolve<Ack>(NOT_CONNECTED),
      exportLab: (f: ExportRequest['format']) => client?.exportLab(f) ?? Promise.resolve<Ack<{ text: string }>>(NOT_CONNECTED),
      macTable: (node: string) => client?.macTable(node) ?? Promise.resolve<Ack<{ entries: MacEntry[] }>>(NOT_CONNECTED),
      hub: client?.terminals ?? null,
      client,
    }),
    [client],
  );
  return { ...snapshot, ...actions };
}
