/**
 * Where a cable's label goes: on the cable's middle when the gap between the
 * two nodes is wide enough for it, else hung below the lower of the two nodes
 * (with a leader line), so it never covers a node's addresses.
 */

/** Rough glyph widths of the label's monospace lines (0.8rem names, 0.72rem rate), for sizing without measuring. */
const NAME_CHAR_PX = 7.7;
const RATE_CHAR_PX = 6.9;
const LABEL_PADDING_PX = 26;
/** How far below the lower node a hung label sits. */
const HANG_GAP_PX = 22;

export interface Placement {
  x: number;
  y: number;
  /** Set when the label hangs below the nodes: draw a leader from the cable's middle to it. */
  leaderFrom?: { x: number; y: number };
}

export function labelWidth(names: string, rate: string): number {
  return Math.max(names.length * NAME_CHAR_PX, rate.length * RATE_CHAR_PX) + LABEL_PADDING_PX;
}

export function placeLabel(
  middle: { x: number; y: number },
  sourceX: number,
  targetX: number,
  width: number,
  /** Bottom edges of the two nodes (flow coordinates); undefined until React Flow measured them. */
  bottoms: [number | undefined, number | undefined],
): Placement {
  const gap = Math.abs(targetX - sourceX);
  if (gap >= width || bottoms[0] === undefined || bottoms[1] === undefined) return middle;
  return { x: middle.x, y: Math.max(bottoms[0], bottoms[1]) + HANG_GAP_PX, leaderFrom: middle };
}
