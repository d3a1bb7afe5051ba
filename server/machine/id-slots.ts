/**
 * Ranges of user and group ids for lab machines: lab root (id 0 inside) is
 * id BASE + slot * SIZE outside, an id no account on the machine has, and
 * each lab gets its own range, so two labs' processes and files never share
 * an owner. A slot is claimed with an exclusive create under /run (labs do
 * not survive a reboot either); ranges that /etc/subuid or /etc/subgid give
 * to someone else are skipped.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The first outside id of the first lab's range: high above every ordinary account and the usual subordinate ranges. */
export const ID_BASE = 0x7000_0000;
/** Ids mapped per lab: 0-65535 inside, like a container. */
export const IDS_PER_LAB = 65536;
/** How many labs can exist at once on one machine. */
export const ID_SLOTS = 4096;

export const SLOT_DIR = '/run/vethlab/id-slots';

export function rangeOf(slot: number): { first: number; count: number } {
  return { first: ID_BASE + slot * IDS_PER_LAB, count: IDS_PER_LAB };
}

/** Ranges `name:first:count` from /etc/subuid-style text. */
export function parseSubordinateRanges(text: string): { owner: string; first: number; count: number }[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(':'))
    .filter((p) => p.length === 3 && /^\d+$/.test(p[1]) && /^\d+$/.test(p[2]))
    .map(([owner, first, count]) => ({ owner, first: Number(first), count: Number(count) }));
}

function othersRanges(): { first: number; count: number }[] {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return [...parseSubordinateRanges(read('/etc/subuid')), ...parseSubordinateRanges(read('/etc/subgid'))];
}

function overlaps(a: { first: number; count: number }, b: { first: number; count: number }): boolean {
  return a.first < b.first + b.count && b.first < a.first + a.count;
}

/**
 * Claims a free slot for `owner` (a lab's unique key) and returns it. `note`
 * (the lab's directory) is kept beside the owner, so that a machine whose
 * lab directory was deleted can be found and ended (`slots()`).
 */
export function claimSlot(owner: string, dir = SLOT_DIR, note = ''): number {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const taken = new Set(readdirSync(dir));
  const others = othersRanges();
  for (let slot = 0; slot < ID_SLOTS; slot++) {
    if (taken.has(String(slot))) continue;
    if (others.some((r) => overlaps(r, rangeOf(slot)))) continue;
    let fd: number;
    try {
      fd = openSync(path.join(dir, String(slot)), 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process took it meanwhile
      throw e;
    }
    writeSync(fd, note ? `${owner}\n${note}\n` : owner);
    closeSync(fd);
    return slot;
  }
  throw new Error(`all ${ID_SLOTS} lab id ranges are in use: delete labs that are no longer needed (vethlab labs delete NAME)`);
}

/** The owner recorded for a slot, or undefined when it is free. */
export function slotOwner(slot: number, dir = SLOT_DIR): string | undefined {
  try {
    return readFileSync(path.join(dir, String(slot)), 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
}

export interface ClaimedSlot {
  slot: number;
  owner: string;
  /** The lab directory noted at the claim ('' for none). */
  note: string;
  /** When it was claimed (ms since the epoch). */
  claimedAt: number;
}

/** Every claimed slot. */
export function slots(dir = SLOT_DIR): ClaimedSlot[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const file = path.join(dir, n);
      const [owner, note = ''] = readFileSync(file, 'utf8').split('\n');
      return [{ slot: Number(n), owner, note, claimedAt: statSync(file).mtimeMs }];
    } catch {
      return [];
    }
  });
}

/** Frees a slot if `owner` holds it. */
export function releaseSlot(slot: number, owner: string, dir = SLOT_DIR): void {
  if (slotOwner(slot, dir) !== owner) return;
  try {
    unlinkSync(path.join(dir, String(slot)));
  } catch {
    // Already free.
  }
}
