'use client';
import { memo } from 'react';
import type { ClassTile } from '@/server/protocol';
import { colorOfKind } from '../nodes/node-types';

const W = 220;
const H = 110;
const PAD = 14;

/** A lab's diagram drawn small: its nodes where the student put them, and its cables. */
function MiniDiagram({ tile }: { tile: ClassTile }) {
  if (tile.nodes.length === 0) return <div className="mini-empty">empty lab</div>;
  const xs = tile.nodes.map((n) => n.x);
  const ys = tile.nodes.map((n) => n.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((W - 2 * PAD) / Math.max(1, maxX - minX), (H - 2 * PAD) / Math.max(1, maxY - minY), 0.5);
  // Centred: a lab of one node, or one row, sits in the middle rather than in a corner.
  const dx = (W - 2 * PAD - (maxX - minX) * scale) / 2;
  const dy = (H - 2 * PAD - (maxY - minY) * scale) / 2;
  const at = new Map(tile.nodes.map((n) => [n.name, { x: PAD + dx + (n.x - minX) * scale, y: PAD + dy + (n.y - minY) * scale }]));
  return (
    <svg className="mini-diagram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${tile.nodes.length} nodes, ${tile.links.length} cables`}>
      {tile.links.map(([a, b], i) => {
        const p = at.get(a);
        const q = at.get(b);
        return p && q ? <line key={i} x1={p.x} y1={p.y} x2={q.x} y2={q.y} className="mini-link" /> : null;
      })}
      {tile.nodes.map((n) => {
        const p = at.get(n.name)!;
        return (
          <g key={n.name}>
            <circle cx={p.x} cy={p.y} r={7} fill={colorOfKind(n.kind)} />
            <text x={p.x} y={p.y + 18} className="mini-label">
              {n.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export default memo(MiniDiagram);
