/**
 * The unprivileged account the lab's shells run as. A dedicated system user
 * keeps lab shells apart from every other process on the machine; nobody is
 * the fallback when the account cannot be created.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SHELL_USER_NAME = 'vethlab';
/** nobody/nogroup on Debian. */
export const FALLBACK_UID = 65534;
export const FALLBACK_GID = 65534;

export interface ShellUser {
  name: string;
  uid: number;
  gid: number;
  /** True for the account created for vethlab, false for the shared fallback (nobody). */
  dedicated: boolean;
}

/** Looks the account up in the passwd database (files, LDAP, ...); null when it does not exist. */
export async function lookUpUser(name: string): Promise<ShellUser | null> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const fields = stdout.trim().split(':');
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
    return { name, uid, gid, dedicated: true };
  } catch {
    return null;
  }
}

/**
 * Returns the shell account, creating it first if it is missing. Safe to call
 * again and from two servers at once: a lost race to useradd is followed by a
 * second look-up. Never returns root.
 */
export async function ensureShellUser(name: string = SHELL_USER_NAME): Promise<ShellUser> {
  let user = await lookUpUser(name);
  if (!user) {
    try {
      await run('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir', '/nonexistent',
        '--shell', '/usr/sbin/nologin',
        '--comment', 'vethlab lab terminals',
        name,
      ]);
    } catch {
      // Not root, no useradd, read-only /etc, or another server won the race.
    }
    user = await lookUpUser(name);
  }
  if (!user || user.uid === 0 || user.gid === 0) {
    return { name: 'nobody', uid: FALLBACK_UID, gid: FALLBACK_GID, dedicated: false };
  }
  return user;
}
