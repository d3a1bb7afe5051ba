/**
 * Keeps what reaches the browsers under a rate: within each flush window,
 * at most a budget of packets, taken evenly (1 in N) when more arrived.
 * A flood is then shown as a sample that says so, and the page never gets
 * more than it can draw.
 */
export interface Sample<T> {
  kept: T[];
  /** How many arrived in the window. */
  seen: number;
  /** 1 in `every` was kept; 1 means all. */
  every: number;
}

export function sample<T>(items: T[], budget: number): Sample<T> {
  if (items.length <= budget) return { kept: items, seen: items.length, every: 1 };
  const every = Math.ceil(items.length / budget);
  const kept: T[] = [];
  for (let i = 0; i < items.length; i += every) kept.push(items[i]);
  return { kept, seen: items.length, every };
}
