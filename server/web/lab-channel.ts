/**
 * The sockets of one lab: a socket.io namespace of its own (`/lab/NAME`),
 * so that a lab's events reach only that lab's browsers. The namespace is
 * made by socket.io when the first browser of the lab connects; until then
 * there is nobody to tell, and emitting goes nowhere.
 */
import { EventEmitter } from 'node:events';
import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol';
import type { Role } from '../engine/lab-registry';

export type LabNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LabSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Set by the namespace's middleware from the token the socket offered. */
export interface SocketData {
  lab: string;
  role: Role;
}

type Emit = LabNamespace['emit'];

export class LabChannel extends EventEmitter<{ connection: [LabSocket] }> {
  private nsp?: LabNamespace;

  constructor(readonly lab: string) {
    super();
  }

  /** A browser of this lab connected (after its token was checked). */
  connect(socket: LabSocket): void {
    this.nsp = socket.nsp as LabNamespace;
    this.emit('connection', socket);
  }

  /** To every browser of the lab. */
  broadcast: Emit = (...args) => (this.nsp ? this.nsp.emit(...args) : true);

  /** To the browsers in a room of the lab (a terminal's watchers). */
  toRoom(room: string): { emit: Emit } {
    const nsp = this.nsp;
    return { emit: (...args) => (nsp ? nsp.to(room).emit(...args) : true) };
  }
}
