/**
 * Named network namespaces, read straight from /run/netns without spawning a
 * process: each entry is a bind mount of an nsfs inode, and that inode number
 * identifies the namespace while it lives.
 */
import { readdir, stat } from 'node:fs/promises';

export const NETNS_DIR = '/run/netns';

export interface NamedNamespace {
  name: string;
  inode: number;
}

export async function listNamespaces(): Promise<NamedNamespace[]> {
  let names: string[];
  try {
    names = await readdir(NETNS_DIR);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: NamedNamespace[] = [];
  for (const name of names.sort()) {
    try {
      const s = await stat(`${NETNS_DIR}/${name}`);
      out.push({ name, inode: s.ino });
    } catch {
      // deleted while we looked
    }
  }
  return out;
}
