/** Where nodes go on the canvas when the lab does not say. */
import type { Position, Topology } from '@/server/model/topology';
import { NODE_WIDTH_PX } from '../nodes/node-data';

/** Grid for nodes without a stored position, and for new nodes. */
/** Room between columns for a cable and its label. */
export const GRID_COLUMN_PX = NODE_WIDTH_PX + 190;
export const GRID_ROW_PX = 230;
const GRID_COLUMNS = 4;
const GRID_ORIGIN: Position = { x: 40, y: 40 };

function slot(i: number): Position {
  return { x: GRID_ORIGIN.x + (i % GRID_COLUMNS) * GRID_COLUMN_PX, y: GRID_ORIGIN.y + Math.floor(i / GRID_COLUMNS) * GRID_ROW_PX };
}

function near(a: Position, b: Position): boolean {
  return Math.abs(a.x - b.x) < GRID_COLUMN_PX * 0.8 && Math.abs(a.y - b.y) < GRID_ROW_PX * 0.8;
}

/** The first grid slot no node (nor any of `taken`) is close to. */
export function freeSlot(taken: Position[]): Position {
  for (let i = 0; ; i++) {
    const p = slot(i);
    if (!taken.some((t) => near(t, p))) return p;
  }
}

/** Every node's position: the local override (a drag not yet stored), the lab's, or a free grid slot. */
export function effectivePositions(topology: Topology, overrides: Record<string, Position>): Record<string, Position> {
  const out: Record<string, Position> = {};
  const missing: string[] = [];
  for (const [name, node] of Object.entries(topology.nodes)) {
    const p = overrides[name] ?? node.position;
    if (p) out[name] = p;
    else missing.push(name);
  }
  for (const name of missing.sort()) out[name] = freeSlot(Object.values(out));
  return out;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Room a new node needs inside the visible area. */
const NEW_NODE_BOX = { width: NODE_WIDTH_PX, height: 120 };
const VIEW_MARGIN_PX = 30;

/**
 * A free spot inside `view` (the part of the canvas on screen, in flow
 * coordinates), so a new node appears where the class is looking; null when
 * the visible part is full.
 */
export function freeSlotInView(view: Rect, taken: Position[]): Position | null {
  const left = view.x + VIEW_MARGIN_PX;
  const top = view.y + VIEW_MARGIN_PX;
  for (let y = top; y + NEW_NODE_BOX.height <= view.y + view.height - VIEW_MARGIN_PX; y += GRID_ROW_PX) {
    for (let x = left; x + NEW_NODE_BOX.width <= view.x + view.width - VIEW_MARGIN_PX; x += GRID_COLUMN_PX) {
      const p = { x: Math.round(x), y: Math.round(y) };
      if (!taken.some((t) => near(t, p))) return p;
    }
  }
  return null;
}
