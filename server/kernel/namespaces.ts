/**
 * Named network namespaces, read straight from /run/netns without spawning a
 * process: each entry is a bind mount of an nsfs inode, and that inode number
 * identifies the namespace while it lives.
 */
import { readdirSync, statSync } from 'node:fs';

export const NETNS_DIR = '/run/netns';

export interface NamedNamespace {
  name: string;
  inode: number;
}

/**
 * Synchronous on purpose: a hundred stat calls take well under a millisecond,
 * less than the thread-pool round trips of the async versions.
 */
export async function listNamespaces(dir: string = NETNS_DIR): Promise<NamedNamespace[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: NamedNamespace[] = [];
  for (const name of names.sort()) {
    const s = statSync(`${dir}/${name}`, { throwIfNoEntry: false });
    if (s) out.push({ name, inode: s.ino }); // else deleted while we looked
  }
  return out;
}
