/**
 * The socket side of the lab terminals: every payload validated, output sent
 * to the browsers that attached (a room per terminal), flow control by their
 * acknowledgements, and terminals of a deleted namespace ended.
 */
import type { Lab } from '../engine/lab';
import type { Topology } from '../model/topology';
import { kindModule } from '../model/kinds/kinds';
import { TerminalError, type TerminalManager } from '../terminal/terminal-manager';
import {
  describeIssue,
  terminalAckSchema,
  terminalInputSchema,
  terminalOpenSchema,
  terminalRefSchema,
  terminalResizeSchema,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../protocol';
import type { LabChannel, LabSocket } from './lab-channel';
import { VIEW_ONLY } from './socket-handlers';

const room = (id: string) => `terminal:${id}`;

function reply<T extends object>(ack: unknown): (r: Ack<T>) => void {
  return typeof ack === 'function' ? (r) => ack(r) : () => {};
}

function refusal(e: unknown): Ack<never> {
  if (e instanceof TerminalError) return { ok: false, error: e.message, ...(e.field ? { field: e.field } : {}) };
  return { ok: false, error: `the terminal could not be started: ${e instanceof Error ? e.message : String(e)}` };
}

export function attachTerminals(io: LabChannel, lab: Lab, terminals: TerminalManager): { detach(): void } {
  const onOutput = (id: string, data: string) => io.toRoom(room(id)).emit('terminal-output', { id, data });
  const onExit = (id: string, reason: string) => io.broadcast('terminal-exit', { id, reason });
  const onList = () => io.broadcast('terminal-list', terminals.list());
  terminals.on('output', onOutput);
  terminals.on('exit', onExit);
  terminals.on('list-changed', onList);

  // A namespace that is gone takes its shells with it: the browser says so.
  const onState = (topology: Topology) => {
    const nodes = new Set(Object.keys(topology.nodes));
    // The host node's shell stays: the machine is there whether or not the canvas shows the host.
    const host = lab.store.record.hostName;
    for (const t of terminals.list()) {
      if (t.alive && t.node !== host && !nodes.has(t.node)) void terminals.closeForNode(t.node, `namespace ${t.node} was deleted`);
    }
  };
  lab.on('state', onState);

  const onConnection = (socket: LabSocket) => {
    // A view link watches the terminals' output; it cannot open, type, resize or close.
    const canType = socket.data.role !== 'view';
    socket.emit('terminal-list', terminals.list());

    socket.on('terminal-open', (payload: unknown, ack: unknown) => {
      const send = reply<{ id: string }>(ack);
      if (!canType) return send({ ok: false, error: VIEW_ONLY });
      const parsed = terminalOpenSchema.safeParse(payload);
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      const { ping, cols, rows } = parsed.data;
      const hostName = lab.store.record.hostName;
      // The lab machine's own shell is there before the host node is on the canvas (the tutorials start in it); "host" always names it.
      const node = !lab.realHost && parsed.data.node === 'host' ? hostName : parsed.data.node;
      const spec = lab.current?.nodes[node];
      // A switch is a device of the root namespace: its terminal is the host's shell, where `bridge fdb show` runs.
      const isHost = (spec !== undefined && kindModule(spec.kind).inRoot) || (!lab.realHost && node === hostName);
      if (!spec && !isHost) return send({ ok: false, error: `node: there is no node "${node}" in the lab`, field: 'node' });
      terminals
        .open({ node, netns: isHost ? undefined : node, ping, cols, rows })
        .then((id) => send({ ok: true, id }), (e) => send(refusal(e)));
    });

    socket.on('terminal-attach', (payload: unknown, ack: unknown) => {
      const send = reply<{ scrollback: string }>(ack);
      const parsed = terminalRefSchema.safeParse(payload);
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      try {
        const scrollback = terminals.attach(parsed.data.id, socket.id, { paced: canType });
        // Joined in the same tick as the reply, so every later output reaches this browser once.
        void socket.join(room(parsed.data.id));
        send({ ok: true, scrollback });
      } catch (e) {
        send(refusal(e));
      }
    });

    socket.on('terminal-input', (payload: unknown) => {
      if (!canType) return;
      const parsed = terminalInputSchema.safeParse(payload);
      if (parsed.success) terminals.input(parsed.data.id, parsed.data.data);
    });
    socket.on('terminal-resize', (payload: unknown) => {
      if (!canType) return;
      const parsed = terminalResizeSchema.safeParse(payload);
      if (parsed.success) terminals.resize(parsed.data.id, parsed.data.cols, parsed.data.rows);
    });
    socket.on('terminal-ack', (payload: unknown) => {
      const parsed = terminalAckSchema.safeParse(payload);
      if (parsed.success) terminals.ack(parsed.data.id, socket.id, parsed.data.chars);
    });
    socket.on('terminal-close', (payload: unknown) => {
      if (!canType) return;
      const parsed = terminalRefSchema.safeParse(payload);
      if (parsed.success) void terminals.close(parsed.data.id, 'closed');
    });
    // A browser that leaves must not keep a terminal paused on its behalf.
    socket.on('disconnect', () => terminals.detachClient(socket.id));
  };
  io.on('connection', onConnection);

  return {
    detach() {
      terminals.off('output', onOutput);
      terminals.off('exit', onExit);
      terminals.off('list-changed', onList);
      lab.off('state', onState);
      io.off('connection', onConnection);
    },
  };
}
