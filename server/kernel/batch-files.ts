/**
 * Batch files: the commands of a nested `ip -batch /dev/fd/N`, handed over
 * as open descriptors of files already unlinked. Only the descriptors reach
 * the `ip` processes, so the files need no place in the lab machine's file
 * system (a descriptor's /dev/fd/N reopens its file wherever it runs). They
 * are files, not pipes: node's stdio pipes are sockets, which /dev/fd/N
 * cannot reopen.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Where they are written: memory (/dev/shm is a tmpfs on every Linux), since
 * on a disk, creating and unlinking the hundred files of a 100-namespace lab
 * took 100 ms; /run/vethlab/batch without /dev/shm.
 */
export const BATCH_FILE_DIR = existsSync('/dev/shm') ? '/dev/shm/vethlab-batch' : '/run/vethlab/batch';

/**
 * Makes the directory, or checks the one there: a directory (not a link) of
 * this user that nobody else may enter. /dev/shm is open to every user, and a
 * directory made there by another could swap a batch file for its own commands.
 */
export function batchDir(dir = BATCH_FILE_DIR): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} must be a directory of user ${uid} with mode 700 (it is ${st.isDirectory() ? `mode ${(st.mode & 0o777).toString(8)} of user ${st.uid}` : 'not a directory'}); remove it and try again`);
  }
  return dir;
}

/** Each text as an open descriptor of an unlinked file; the caller closes them. */
export function openBatchFiles(texts: string[], dir = BATCH_FILE_DIR): number[] {
  if (texts.length === 0) return [];
  const where = batchDir(dir);
  const fds: number[] = [];
  try {
    for (const text of texts) {
      const file = path.join(where, randomBytes(8).toString('hex'));
      // Never an existing file or link.
      const fd = openSync(file, 'wx', 0o600);
      fds.push(fd);
      try {
        // Readable by the lab machine's root, which is not this root, whatever the umask.
        fchmodSync(fd, 0o644);
        writeSync(fd, text);
      } finally {
        unlinkSync(file);
      }
    }
    return fds;
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    throw e;
  }
}
