/**
 * The socket side of packet captures: a browser watches scopes while its
 * packet view is open, joins the lab's `packets` room while it watches
 * anything, and lets go of everything when it disconnects. Only the lab's
 * own sockets reach these handlers (a socket.io namespace per lab), so a
 * lab's packets never reach another lab's browsers.
 */
import type { Lab } from '../engine/lab';
import type { LabCaptures, CaptureList, PacketBatch } from '../capture/lab-captures';
import {
  captureDownloadSchema,
  captureFilterSchema,
  captureUnwatchSchema,
  captureWatchSchema,
  describeIssue,
  packetDetailSchema,
  type Ack,
  type PacketDetail,
} from '../protocol';
import type { LabChannel, LabSocket } from './lab-channel';
import { replyVia as reply, VIEW_ONLY } from './socket-handlers';

const PACKETS_ROOM = 'packets';


/** The file name of a download: the lab, the cable or node, the time. */
function downloadName(lab: string, what: string | undefined, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const part = what ? `-${what.replace(/[^A-Za-z0-9_.-]+/g, '_')}` : '';
  return `${lab}${part}-${stamp}.pcapng`;
}

export function attachCaptures(io: LabChannel, lab: Lab, captures: LabCaptures): { detach(): void } {
  const onPackets = (batch: PacketBatch) => io.toRoom(PACKETS_ROOM).emit('packets', batch);
  const onCaptures = (list: CaptureList) => io.broadcast('capture-list', list);
  captures.on('packets', onPackets);
  captures.on('captures', onCaptures);
  const onState = () => captures.update();
  const onMachine = () => void captures.restart();
  lab.on('state', onState);
  lab.on('machine', onMachine);

  const onConnection = (socket: LabSocket) => {
    socket.emit('capture-list', captures.list());

    socket.on('capture-watch', (payload: unknown, ack: unknown) => {
      const send = reply<CaptureList>(ack);
      const parsed = captureWatchSchema.safeParse(payload);
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      const error = captures.watch(socket.id, parsed.data.scope);
      if (error) return send({ ok: false, error, field: 'scope' });
      void socket.join(PACKETS_ROOM);
      send({ ok: true, ...captures.list() });
    });
    socket.on('capture-unwatch', (payload: unknown, ack: unknown) => {
      const send = reply(ack);
      const parsed = captureUnwatchSchema.safeParse(payload ?? {});
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      captures.unwatch(socket.id, parsed.data.scope);
      if (!captures.isWatching(socket.id)) void socket.leave(PACKETS_ROOM);
      send({ ok: true });
    });
    socket.on('capture-filter', (payload: unknown, ack: unknown) => {
      const send = reply(ack);
      // It changes every watcher's capture: a view link may watch, not steer.
      if (socket.data.role === 'view') return send({ ok: false, error: VIEW_ONLY });
      const parsed = captureFilterSchema.safeParse(payload);
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      captures.setFilter(parsed.data.expression).then(
        (error) => send(error ? { ok: false, error, field: 'expression' } : { ok: true }),
        (e) => send({ ok: false, error: `the capture expression could not be set: ${e instanceof Error ? e.message : String(e)}` }),
      );
    });
    socket.on('packet-detail', (payload: unknown, ack: unknown) => {
      const send = reply<{ detail: PacketDetail }>(ack);
      const parsed = packetDetailSchema.safeParse(payload);
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      const detail = captures.detail(parsed.data.id);
      if (!detail) return send({ ok: false, error: `id: packet ${parsed.data.id} is no longer kept (captures keep the most recent packets)`, field: 'id' });
      send({ ok: true, detail });
    });
    socket.on('capture-download', (payload: unknown, ack: unknown) => {
      const send = reply<{ name: string; data: ArrayBuffer; packets: number }>(ack);
      const parsed = captureDownloadSchema.safeParse(payload ?? {});
      if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
      const { data, packets } = captures.download(parsed.data);
      const body = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
      send({ ok: true, name: downloadName(lab.name, parsed.data.node ?? parsed.data.link?.split(' <-> ')[0]), data: body, packets });
    });
    socket.on('disconnect', () => captures.unwatch(socket.id));
  };
  io.on('connection', onConnection);

  return {
    detach() {
      captures.off('packets', onPackets);
      captures.off('captures', onCaptures);
      lab.off('state', onState);
      lab.off('machine', onMachine);
      io.off('connection', onConnection);
    },
  };
}
