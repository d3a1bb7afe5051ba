/**
 * The plan that removes a real-host lab: its host ends first (they go with
 * their peers' namespaces too, but only when the kernel gets round to it),
 * then its namespaces. Pure. A lab machine needs no plan: ending its
 * processes frees everything in it at once.
 */
import type { Step } from '../model/step';

export interface OwnedByLab {
  /** Host veth ends and bridges carrying the lab's mark. */
  hostEnds: string[];
  /** Namespaces the lab made. */
  namespaces: string[];
}

export function planDestroy(owned: OwnedByLab): Step[] {
  return [
    ...[...owned.hostEnds].sort().map((name) => ({ args: ['link', 'del', name], reason: `remove the lab's ${name} from the host (a veth end takes its peer with it)`, removes: { hostEnds: [name] } })),
    ...[...new Set(owned.namespaces)].sort().map((ns) => ({ args: ['netns', 'del', ns], reason: `remove namespace ${ns} and all in it`, removes: { namespaces: [ns] } })),
  ];
}
