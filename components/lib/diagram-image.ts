/**
 * The diagram as a picture for slides and handouts: the whole lab (not just
 * what is on screen), without the zoom buttons, the mini map or flying
 * packet dots. html-to-image is what React Flow's own "download image"
 * example uses: it copies the rendered nodes and cables with their styles.
 */
import { toPng, toSvg } from 'html-to-image';
import { getNodesBounds, getViewportForBounds, type Node } from '@xyflow/react';

/** Margin around the lab in the picture. */
const PADDING = 0.08;
/** A PNG at twice the pixels: sharp on a slide. */
const PNG_SCALE = 2;
const MIN_SIZE = { width: 640, height: 360 };
const MAX_SIDE = 4096;

export async function diagramImage(nodes: Node[], format: 'svg' | 'png'): Promise<string> {
  const viewport = document.querySelector<HTMLElement>('.canvas .react-flow__viewport');
  if (!viewport || nodes.length === 0) throw new Error('the lab has no nodes to draw');
  const bounds = getNodesBounds(nodes);
  const width = Math.min(MAX_SIDE, Math.max(MIN_SIZE.width, Math.ceil(bounds.width * (1 + 2 * PADDING))));
  const height = Math.min(MAX_SIDE, Math.max(MIN_SIZE.height, Math.ceil(bounds.height * (1 + 2 * PADDING))));
  const t = getViewportForBounds(bounds, width, height, 0.2, 2, PADDING);
  const options = {
    backgroundColor: '#ffffff',
    width,
    height,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${t.x}px, ${t.y}px) scale(${t.zoom})` },
    // The selection outline and the connect handles are for editing, not for a slide.
    filter: (el: HTMLElement) => !(el.classList?.contains('connect-handle') || el.classList?.contains('packet-layer')),
  };
  return format === 'svg' ? toSvg(viewport, options) : toPng(viewport, { ...options, pixelRatio: PNG_SCALE });
}
