/**
 * The realtime side of the lab: every browser gets the lab's state and log
 * when it connects, every change is broadcast to all of them (so two browsers
 * always converge), and every edit goes through the Lab's one mutation queue.
 * Every incoming payload is validated against server/protocol.ts first.
 */
import type { Lab, ApplyResult } from '../engine/lab';
import { applyEdit, describeEdit } from '../model/edits';
import { exportLab as labAsFile } from '../export/export-lab';
import type { Position, Topology } from '../model/topology';
import { TopologyDiffer } from '../model/topology-patch';
import { readMacTable } from '../kernel/bridge-fdb';
import { kernelCapabilities } from '../kernel/capabilities';
import {
  describeIssue,
  exportSchema,
  labEditSchema,
  macTableSchema,
  type MacEntry,
  type Ack,
  type ClientToServerEvents,
  type LabEdit,
  type LabState,
  type LogEntry,
  type Progress,
  type ServerToClientEvents,
} from '../protocol';

import type { LabChannel, LabSocket } from './lab-channel';

/** The answer to a change asked for through a view-only link. */
export const VIEW_ONLY = 'this is a view-only link: it shows the lab but cannot change it; open the lab with its edit link to make changes';

export interface LabHub {
  /** Sends the lab's state to every browser with the next version number. Whatever re-observes the kernel ends here, via the lab's 'state' event. */
  broadcastState(topology?: Topology): void;
  /** Stops listening to the lab. */
  detach(): void;
}

/** Socket.io calls a handler without an acknowledgement when the client asked for none; answer into the void then. */
export function replyVia<T extends object = object>(ack: unknown): (r: Ack<T>) => void {
  if (typeof ack !== 'function') return () => {};
  return (r) => {
    try {
      ack(r);
    } catch {
      // The client is gone.
    }
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What an engine result means for the browser that asked. */
function ackOf(result: ApplyResult): Ack {
  if (result.ok) return { ok: true };
  if (result.errors?.length) {
    return { ok: false, error: result.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n'), field: result.errors[0].path || undefined };
  }
  if (result.failure) {
    // The kernel's message often ends with its own full stop ("Nexthop has invalid gateway.").
    const said = result.failure.message.replace(/\.+$/, '');
    return { ok: false, error: `"${result.failure.command}" failed: ${said}. The lab is left as far as it got; the log shows each command.` };
  }
  return { ok: false, error: 'the change failed; the log shows each command' };
}

export function attachLab(io: LabChannel, lab: Lab): LabHub {
  let version = 0;
  // What every connected browser has: after a change, only the nodes that differ go out.
  const sent = new TopologyDiffer();

  const broadcastState = (topology = lab.current) => {
    if (!topology) return;
    const patch = sent.next(topology);
    version += 1;
    if (patch) io.broadcast('lab-patch', { base: version - 1, version, patch });
    else io.broadcast('lab-state', { topology, version });
  };
  /** The state a browser starts from: the last one sent (every later patch applies to it), or the lab as it is. */
  const stateNow = async (): Promise<LabState> => {
    const last = sent.last();
    if (last) return { topology: last, version };
    const topology = lab.current ?? (await lab.observe()).topology;
    return { topology: sent.last() ?? topology, version };
  };
  const onState = (topology: Topology) => broadcastState(topology);
  const onEntries = (entries: LogEntry[]) => io.broadcast('log-append', entries);
  const onProgress = (progress: Progress | null) => io.broadcast('lab-progress', progress);
  lab.on('state', onState);
  lab.log.on('entries', onEntries);
  lab.on('progress', onProgress);

  async function moveNodes(positions: Record<string, Position>): Promise<Ack> {
    // Diagram only: the kernel is not touched. A node deleted while being dragged is skipped.
    const known = lab.current?.nodes ?? {};
    const kept = Object.entries(positions)
      .filter(([name]) => Object.hasOwn(known, name))
      .map(([name, p]) => [name, { x: Math.round(p.x) || 0, y: Math.round(p.y) || 0 }]);
    await lab.setPositions(Object.fromEntries(kept));
    broadcastState();
    return { ok: true };
  }

  async function edit(payload: unknown): Promise<Ack> {
    const parsed = labEditSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeIssue(parsed.error, payload) };
    const e: LabEdit = parsed.data;
    if (e.op === 'destroy') return ackOf(await lab.destroy({ observeAfter: true }));
    if (e.op === 'move-nodes') return moveNodes(e.positions);
    let refused: Ack | undefined;
    const result = await lab.change(
      (current, taken) => {
        const r = applyEdit(current, e, taken);
        if (r.ok) return r.topology;
        refused = { ok: false, error: r.error, ...(r.field ? { field: r.field } : {}) };
        return { errors: [{ path: r.field ?? '', message: r.error }] };
      },
      // A host node without cables is saved as diagram data (showHost) by the engine; the plan for it is empty.
      { observeAfter: true, label: describeEdit(e) },
    );
    return refused ?? ackOf(result);
  }

  async function exportLab(payload: unknown): Promise<Ack<{ text: string }>> {
    const parsed = exportSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeIssue(parsed.error, payload) };
    return { ok: true, text: labAsFile(lab.current ?? (await lab.observe()).topology, parsed.data.format, lab.mark) };
  }

  async function macTable(payload: unknown): Promise<Ack<{ entries: MacEntry[] }>> {
    const parsed = macTableSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, ...describeIssue(parsed.error, payload) };
    const { node } = parsed.data;
    const spec = lab.current?.nodes[node];
    if (!spec || !Object.hasOwn(lab.current!.nodes, node)) return { ok: false, error: `node: "${node}" is not a node of the lab`, field: 'node' };
    if (spec.kind !== 'bridge') return { ok: false, error: `node: "${node}" is not a switch; only switches have a MAC table`, field: 'node' };
    const machine = lab.machine();
    if (!machine) return { ok: true, entries: [] };
    return { ok: true, entries: await readMacTable(machine, node) };
  }

  // The teacher's sockets (admin links) in this lab: students see that the teacher is there.
  const teachers = new Set<string>();
  const onConnection = (socket: LabSocket) => {
    if (socket.data.role === 'admin') {
      teachers.add(socket.id);
      io.broadcast('lab-presence', { teacher: true });
      socket.on('disconnect', () => {
        teachers.delete(socket.id);
        io.broadcast('lab-presence', { teacher: teachers.size > 0 });
      });
    } else socket.emit('lab-presence', { teacher: teachers.size > 0 });
    socket.on('lab-edit', (payload: unknown, ack: unknown) => {
      const reply = replyVia(ack);
      if (socket.data.role === 'view') return reply({ ok: false, error: VIEW_ONLY });
      edit(payload).then(reply, (err) => reply({ ok: false, error: `the edit could not be applied: ${errorText(err)}` }));
    });
    socket.on('lab-export', (payload: unknown, ack: unknown) => {
      const reply = replyVia(ack);
      exportLab(payload).then(reply, (err) => reply({ ok: false, error: `the lab could not be exported: ${errorText(err)}` }));
    });
    socket.on('mac-table', (payload: unknown, ack: unknown) => {
      const reply = replyVia(ack);
      macTable(payload).then(reply, (err) => reply({ ok: false, error: `the MAC table could not be read: ${errorText(err)}` }));
    });
    socket.on('lab-resync', (_payload: unknown, ack: unknown) => {
      const reply = replyVia<{ state: LabState }>(ack);
      stateNow().then((state) => reply({ ok: true, state }), (err) => reply({ ok: false, error: `the lab could not be read: ${errorText(err)}` }));
    });
    const greet = async () => {
      const netem = (await kernelCapabilities()).netem;
      const state = await stateNow();
      socket.emit('lab-hello', { lab: lab.name, role: socket.data.role, realHost: lab.realHost, netem });
      socket.emit('lab-state', state);
      socket.emit('log-append', lab.log.recent());
    };
    greet().catch((err) => socket.emit('log-append', [{ seq: 0, time: new Date().toISOString(), source: 'info', status: 'error', text: 'the lab could not be read', message: errorText(err) }]));
  };
  io.on('connection', onConnection);

  return {
    broadcastState,
    detach() {
      lab.off('state', onState);
      lab.log.off('entries', onEntries);
      lab.off('progress', onProgress);
      io.off('connection', onConnection);
    },
  };
}
