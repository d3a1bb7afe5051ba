/**
 * Locks on a lab between processes: the server, `vethlab apply`, `destroy`
 * and `exec` may work on one lab at the same moment.
 *   - `machine`: held while a process makes the lab machine, so two processes
 *     never make one each; the one that waited finds the other's running.
 *   - `edit`: held during every change (engine/lab.ts), so two plans made from
 *     the same kernel never fight (an `ip link add` that fails with "File
 *     exists", a plan whose reasons are wrong). Inside a process the lab's
 *     queue already orders its changes; this orders the processes.
 *
 * A lock is a Unix socket in Linux's abstract namespace, named after the
 * lab's directory: binding it is taking the lock (a second bind gets
 * EADDRINUSE), and the kernel lets go of it when the holder closes it or
 * dies, kill -9 included, so a crash cannot leave it held and no file is left
 * behind. It costs no process (flock(1) would be a spawn, about 5 ms, per
 * edit). A waiter connects to the holder, which drops every connection when
 * it lets go: the waiter then tries again at once. Abstract names belong to a
 * network namespace, and vethlab's processes stay in the one they started in.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';

export type LabLockKind = 'machine' | 'edit';

/** A waiter that hears nothing tries again after this long anyway. */
const RETRY_MS = 100;
/** How long a waiter whose connection failed oddly waits before it tries again. */
const ERROR_PAUSE_MS = 10;

/** The abstract socket name of a lab directory's lock: the same for every path to it. */
export function labLockName(dir: string, kind: LabLockKind): string {
  let where = path.resolve(dir);
  try {
    where = realpathSync.native(where);
  } catch {
    // Not made yet: the path as given.
  }
  return `\0vethlab-${kind}-${createHash('sha256').update(where).digest('hex').slice(0, 32)}`;
}

/** Waits until this process holds the lab's lock of that kind; resolves with the function that lets go of it. */
export async function holdLabLock(dir: string, kind: LabLockKind): Promise<() => void> {
  const name = labLockName(dir, kind);
  for (;;) {
    const held = await tryListen(name);
    if (held) return () => release(held);
    await holderGone(name);
  }
}

interface Held {
  server: Server;
  waiters: Set<Socket>;
}

function tryListen(name: string): Promise<Held | undefined> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<Socket>();
    const server = createServer((s) => {
      s.unref();
      waiters.add(s);
      s.on('error', () => {});
      s.on('close', () => waiters.delete(s));
    });
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen(name, () => {
      server.removeAllListeners('error');
      // Nothing a held lock's socket reports later changes that it is held.
      server.on('error', () => {});
      // A lock must not keep the process alive, nor its waiters' connections.
      server.unref();
      resolve({ server, waiters });
    });
  });
}

function release({ server, waiters }: Held): void {
  server.close();
  for (const s of waiters) s.destroy();
}

/** Resolves when the holder of `name` lets go (its connection to us closes), or after RETRY_MS. */
function holderGone(name: string): Promise<void> {
  return new Promise((resolve) => {
    const s = createConnection(name);
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, RETRY_MS);
    // Connected, the holder's drop is the signal (a failed connection closes too, after its error).
    s.once('connect', () => s.once('close', done));
    // Refused: the holder let go meanwhile, try at once. Anything else (a full backlog): not in a tight loop.
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? done() : setTimeout(done, ERROR_PAUSE_MS)));
  });
}
