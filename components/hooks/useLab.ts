'use client';
/**
 * The page's lab connection: connects on mount, disconnects on unmount. What
 * the server says lands in the lab store (lab/lab-store), which components
 * read slice by slice; this hook gives the actions.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Ack, ExportRequest, LabEdit, MacEntry } from '@/server/protocol';
import { LabClient } from '../lab/lab-client';
import type { TerminalHub } from '../lab/terminal-hub';

export interface LabActions {
  edit(edit: LabEdit): Promise<Ack>;
  exportLab(format: ExportRequest['format']): Promise<Ack<{ text: string }>>;
  macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>>;
  hub: TerminalHub | null;
  /** The connection itself, for the packet captures and lessons. */
  client: LabClient | null;
}

const NOT_CONNECTED = { ok: false as const, error: 'not connected to the lab server' };

export function useLab(): LabActions {
  const [client, setClient] = useState<LabClient | null>(null);

  useEffect(() => {
    const c = new LabClient();
    c.start();
    setClient(c);
    return () => c.stop();
  }, []);

  return useMemo(
    () => ({
      edit: (e: LabEdit) => client?.edit(e) ?? Promise.resolve<Ack>(NOT_CONNECTED),
      exportLab: (f: ExportRequest['format']) => client?.exportLab(f) ?? Promise.resolve<Ack<{ text: string }>>(NOT_CONNECTED),
      macTable: (node: string) => client?.macTable(node) ?? Promise.resolve<Ack<{ entries: MacEntry[] }>>(NOT_CONNECTED),
      hub: client?.terminals ?? null,
      client,
    }),
    [client],
  );
}
