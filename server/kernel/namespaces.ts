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
 * A listing is kept per directory while the directory's mtime stays the
 * same: adding, deleting or replacing a namespace changes it. Only a listing
 * made once the directory had been still for QUIET_MS is kept, so neither a
 * change within the same timestamp tick nor an entry `ip netns add` has made
 * but not yet mounted over can hide in it.
 */
const QUIET_MS = 1000;
const listings = new Map<string, { version: string; list: NamedNamespace[] }>();
/** Lab machines come and go (each its own /proc/PID/root/run/netns): the cache is bounded. */
const MAX_LISTINGS = 256;

/**
 * Synchronous on purpose: a stat call costs less than the thread-pool round
 * trip of the async version. An unchanged directory costs one stat, not one
 * per namespace: a lab of a hundred is listed on every edit.
 */
export async function listNamespaces(dir: string = NETNS_DIR): Promise<NamedNamespace[]> {
  const now = Date.now();
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat) {
    listings.delete(dir);
    return [];
  }
  // The very directory (a machine's PID reused by the next one is another directory), unchanged.
  const version = `${dirStat.dev}:${dirStat.ino}:${dirStat.mtimeMs}`;
  const kept = listings.get(dir);
  if (kept && kept.version === version) return kept.list.map((n) => ({ ...n }));
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
  if (now - dirStat.mtimeMs >= QUIET_MS) {
    if (listings.size >= MAX_LISTINGS && !listings.has(dir)) listings.clear();
    listings.set(dir, { version, list: out.map((n) => ({ ...n })) });
  } else listings.delete(dir);
  return out;
}
