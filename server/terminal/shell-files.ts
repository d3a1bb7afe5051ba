/**
 * The files a lab shell reads: a writable home for the shell user and the
 * bash rcfile that sets the prompt. Nothing of the server's own environment
 * or dotfiles reaches the shell.
 */
import { chmod, chown, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ShellUser } from './shell-user';

export const DEFAULT_DATA_DIR = '/var/lib/vethlab';

export interface ShellFiles {
  /** HOME of the shells, owned by the shell user, mode 0700. */
  home: string;
  /** The bash rcfile, owned by root, mode 0644 (the shell user may read it, not change it). */
  rcfile: string;
}

/**
 * The prompt names the node (`vnet1$ `) from VETHLAB_NODE, which the server
 * sets per terminal; single quotes defer the expansion to prompt time, and
 * bash does not expand a parameter's value again.
 */
export const BASHRC = `# Written by vethlab for its lab terminals; rewritten when the server starts.
PS1='\${VETHLAB_NODE}\\$ '
# One history file for every namespace would mix up their commands.
HISTFILE=
alias ls='ls --color=auto'
alias grep='grep --color=auto'
`;

/**
 * Creates the data directory (mode 0755, so the shell user can reach its home
 * inside it), the home and the rcfile. Idempotent.
 */
export async function prepareShellFiles(dataDir: string, user: ShellUser): Promise<ShellFiles> {
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await chmod(dataDir, 0o755);
  const home = path.join(dataDir, 'home');
  await mkdir(home, { recursive: true, mode: 0o700 });
  await chown(home, user.uid, user.gid);
  await chmod(home, 0o700);
  const rcfile = path.join(dataDir, 'bashrc');
  // Written beside and renamed, so a shell starting meanwhile never reads half a file.
  const tmp = `${rcfile}.${process.pid}.tmp`;
  await writeFile(tmp, BASHRC, { mode: 0o644 });
  await chmod(tmp, 0o644);
  await rename(tmp, rcfile);
  return { home, rcfile };
}
