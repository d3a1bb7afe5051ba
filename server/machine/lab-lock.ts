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
 *
 * Anyone in that network namespace may bind any abstract name (a real-host
 * terminal's user, another user of the machine), so a holder proves it is
 * vethlab: the waiter sends a nonce, the holder answers with its HMAC under
 * the lab's key (`lock.key` in the lab's directory, which only root can
 * read). A name held by anything that cannot prove it is ignored, with a
 * warning: a stranger can take the ordering away, but never stop the lab.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';

export type LabLockKind = 'machine' | 'edit';

/** The lab's secret, which proves a holder is vethlab: in the lab's directory (mode 0700), readable by root only. */
export const LOCK_KEY_FILE = 'lock.key';
const KEY_BYTES = 32;
/** How long a waiter gives the holder to prove itself (a busy server answers in milliseconds). */
const PROOF_WAIT_MS = 2000;
/** A proven holder that has said nothing for this long is asked again (a safety net: its letting go is heard at once). */
const RETRY_MS = 1000;
/** How long a waiter whose connection failed oddly waits before it tries again. */
const ERROR_PAUSE_MS = 10;
/** Connections closed before any proof, in a row, after which the name counts as a stranger's. */
const UNPROVEN_ROUNDS = 20;
/** The longest nonce line a holder reads. */
const MAX_NONCE_CHARS = 128;

/** The abstract socket name of a lab directory's lock: the same for every path to it. */
export function labLockName(dir: string, kind: LabLockKind): string {
  return `\0vethlab-${kind}-${createHash('sha256').update(where(dir)).digest('hex').slice(0, 32)}`;
}

function where(dir: string): string {
  try {
    return realpathSync.native(path.resolve(dir));
  } catch {
    return path.resolve(dir); // not made yet: the path as given
  }
}

/** The lab's key, made on first use: written aside, then linked into place, so two processes that make it at once read one key. */
function labKey(dir: string): Buffer {
  const file = path.join(dir, LOCK_KEY_FILE);
  try {
    const key = readFileSync(file);
    if (key.length === KEY_BYTES) return key;
  } catch {
    // not made yet
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, randomBytes(KEY_BYTES), { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(aside);
  }
  return readFileSync(file);
}

function proof(key: Buffer, kind: LabLockKind, nonce: string): string {
  return createHmac('sha256', key).update(`${kind}:${nonce}`).digest('hex');
}

const warned = new Set<string>();

/**
 * Waits until this process holds the lab's lock of that kind; resolves with
 * the function that lets go of it. When a stranger holds the name, resolves
 * without holding anything, as soon as the stranger fails its proof (at most
 * PROOF_WAIT_MS), with a warning on stderr once per lock.
 */
export async function holdLabLock(dir: string, kind: LabLockKind): Promise<() => void> {
  const name = labLockName(dir, kind);
  const key = labKey(dir);
  let unproven = 0;
  for (;;) {
    const held = await tryListen(name, (nonce) => proof(key, kind, nonce));
    if (held) return () => release(held);
    const heard = await waitForHolder(name, (answer, nonce) => safeEqual(answer, proof(key, kind, nonce)));
    if (heard === 'stranger' || (heard === 'unproven' && ++unproven >= UNPROVEN_ROUNDS)) {
      if (!warned.has(name)) {
        warned.add(name);
        process.emitWarning(`the ${kind} lock of the lab in ${dir} is held by a process that cannot prove it is vethlab's; going ahead without it`);
      }
      return () => {};
    }
    if (heard === 'released') unproven = 0;
  }
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

interface Held {
  server: Server;
  waiters: Set<Socket>;
}

/** Binds the name; answers every waiter's nonce with its proof. Undefined when the name is taken. */
function tryListen(name: string, prove: (nonce: string) => string): Promise<Held | undefined> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<Socket>();
    const server = createServer((s) => {
      s.unref();
      waiters.add(s);
      s.on('error', () => {});
      s.on('close', () => waiters.delete(s));
      let line = '';
      s.setEncoding('utf8').on('data', (d: string) => {
        if (line.includes('\n')) return;
        line += d;
        const end = line.indexOf('\n');
        if (end >= 0) s.write(`${prove(line.slice(0, end))}\n`);
        else if (line.length > MAX_NONCE_CHARS) s.destroy();
      });
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

/**
 * Connects to the holder of `name`, asks it to prove itself, and resolves:
 * `released` when a proven holder lets go (or is gone), `unproven` when the
 * connection ends before any proof, `stranger` when the answer is wrong or
 * does not come.
 */
function waitForHolder(name: string, valid: (answer: string, nonce: string) => boolean): Promise<'released' | 'unproven' | 'stranger'> {
  return new Promise((resolve) => {
    const nonce = randomBytes(16).toString('hex');
    const s = createConnection(name);
    let proven = false;
    let answer = '';
    let timer = setTimeout(() => done('stranger'), PROOF_WAIT_MS);
    function done(how: 'released' | 'unproven' | 'stranger') {
      clearTimeout(timer);
      s.destroy();
      resolve(how);
    }
    s.setEncoding('utf8');
    s.once('connect', () => s.write(`${nonce}\n`));
    s.on('data', (d: string) => {
      if (proven) return;
      answer += d;
      const end = answer.indexOf('\n');
      if (end < 0) {
        if (answer.length > 2 * MAX_NONCE_CHARS) done('stranger');
        return;
      }
      if (!valid(answer.slice(0, end), nonce)) return done('stranger');
      proven = true;
      clearTimeout(timer);
      timer = setTimeout(() => done('released'), RETRY_MS);
    });
    // A failed connection closes too, after its error: the error decides.
    let failed = false;
    s.on('close', () => {
      if (!failed) done(proven ? 'released' : 'unproven');
    });
    // Refused: the holder let go meanwhile, try at once. Anything else (a full backlog): not in a tight loop.
    s.on('error', (e: NodeJS.ErrnoException) => {
      failed = true;
      if (e.code === 'ECONNREFUSED') done('released');
      else setTimeout(() => done(proven ? 'released' : 'unproven'), ERROR_PAUSE_MS);
    });
  });
}
