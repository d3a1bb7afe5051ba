/**
 * Reads the lab's actual state from the kernel: one `ip -json -batch` for the
 * root namespace and one per lab namespace, a few at a time.
 */
import { readBatch, runIn } from './ip';
import { REAL_HOST, type Machine } from './machine';
import { READ_COMMANDS, READ_FLAGS, toReading, type NamespaceReading, type TcQdisc } from './ip-json';
import { LOOPBACK } from '../model/topology';

/** How many `ip` readers run at once; the machine has few cores and each is short. */
export const READ_CONCURRENCY = 8;

export async function readNamespace(netns: string | undefined, machine: Machine = REAL_HOST): Promise<NamespaceReading> {
  return toReading(netns, await readBatch(netns, READ_COMMANDS, READ_FLAGS, machine));
}

/**
 * Adds the namespace's qdiscs (`tc -j qdisc show`), where cable impairments
 * live. `ip` names each link's root qdisc, so only a namespace with a netem
 * somewhere costs the extra `tc`.
 */
export async function withQdiscs(reading: NamespaceReading, machine: Machine): Promise<NamespaceReading> {
  if (!reading.links.some((l) => l.qdisc === 'netem')) return reading;
  const res = await runIn(machine, 'tc', [...(reading.netns ? ['-n', reading.netns] : []), '-j', 'qdisc', 'show']);
  // A namespace deleted meanwhile has no qdiscs to report; the next read sees it gone.
  if (res.code !== 0) return reading;
  try {
    return { ...reading, qdiscs: JSON.parse(res.stdout || '[]') as TcQdisc[] };
  } catch {
    return reading;
  }
}

/** Reads several namespaces; one that vanished while being read is left out. */
export async function readNamespaces(names: string[], machine: Machine = REAL_HOST): Promise<NamespaceReading[]> {
  const results: (NamespaceReading | null)[] = new Array(names.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      try {
        results[i] = await readNamespace(names[i], machine);
      } catch {
        results[i] = null; // deleted between listing and reading
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  return results.filter((r): r is NamespaceReading => r !== null);
}

/** The mark a namespace carries on its lo, if any. */
export function namespaceMark(reading: NamespaceReading): string | undefined {
  return reading.links.find((l) => l.ifname === LOOPBACK)?.ifalias;
}
