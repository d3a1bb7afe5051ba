/**
 * Room to leave around a fitted lab: the zoom controls on the left, and the
 * mini map in the bottom right corner, which no node may sit under. The map
 * is kept clear either by leaving the bottom strip empty or the right strip,
 * whichever costs the diagram less zoom: a wide lab on a wide screen gives up
 * a strip on the right, not a seventh of the height.
 */
export type FitPadding = { top: `${number}px`; right: `${number}px`; bottom: `${number}px`; left: `${number}px` };

const px = (n: number): `${number}px` => `${n}px`;
const EDGE = { top: 40, right: 40, bottom: 40, left: 70 };
/** The mini map (170x110 at 15 px from the corner) and a gap. */
const MAP_CLEAR = { right: 200, bottom: 140 };

function zoomFor(canvas: Size, content: Size, right: number, bottom: number): number {
  return Math.min((canvas.width - EDGE.left - right) / Math.max(1, content.width), (canvas.height - EDGE.top - bottom) / Math.max(1, content.height));
}

type Size = { width: number; height: number };

export function fitPadding(minimap: boolean, canvas: Size, content: Size): FitPadding {
  const pad = (right: number, bottom: number) => ({ top: px(EDGE.top), right: px(right), bottom: px(bottom), left: px(EDGE.left) });
  if (!minimap) return pad(EDGE.right, EDGE.bottom);
  const below = zoomFor(canvas, content, EDGE.right, MAP_CLEAR.bottom);
  const beside = zoomFor(canvas, content, MAP_CLEAR.right, EDGE.bottom);
  return beside > below ? pad(MAP_CLEAR.right, EDGE.bottom) : pad(EDGE.right, MAP_CLEAR.bottom);
}
