'use client';
import { memo, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useInternalNode, type EdgeProps, type InternalNode } from '@xyflow/react';
import { SelectEdgeContext } from '../canvas/select-context';
import type { VethEdgeType } from './edge-data';
import { labelWidth, placeLabel } from './label-placement';
import { usePackets } from '../packets/packet-store';

const RATE_TEMPLATE = '10.0 pkt/s · 1.2 kB/s';

/** How far a loop swings out to the right of its node. */
const LOOP_REACH_PX = 70;

/** A cable whose two ends are on one node: out of the first end's side and back into the other's. */
function loopPath(sx: number, sy: number, tx: number, ty: number): [string, number, number] {
  const reach = Math.max(sx, tx) + LOOP_REACH_PX;
  return [`M ${sx} ${sy} C ${reach} ${sy}, ${reach} ${ty}, ${tx} ${ty}`, reach - LOOP_REACH_PX / 4, (sy + ty) / 2];
}

function bottomOf(n: InternalNode | undefined): number | undefined {
  return n?.measured.height === undefined ? undefined : n.internals.positionAbsolute.y + n.measured.height;
}

/** A veth pair: a cable between two interfaces, dashed grey while an end is down, moving while packets pass. */
function VethEdge(props: EdgeProps<VethEdgeType>) {
  const { id, data, selected, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  const select = useContext(SelectEdgeContext);
  const sourceNode = useInternalNode(source);
  const targetNode = useInternalNode(target);
  // The packet followed in the list crossed this cable.
  const followed = usePackets((s) => s.followedLinks.has(id));
  const [path, labelX, labelY] = data?.loop ? loopPath(sourceX, sourceY, targetX, targetY) : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  if (!data) return null;
  // Sized for a rate line too, so the label does not jump when traffic starts and stops.
  const width = labelWidth(`${data.a.iface} ⟷ ${data.b.iface}`, data.netemText && data.netemText.length > RATE_TEMPLATE.length ? data.netemText : RATE_TEMPLATE);
  const place = data.loop ? { x: labelX, y: labelY } : placeLabel({ x: labelX, y: labelY }, sourceX, targetX, width, [bottomOf(sourceNode), bottomOf(targetNode)]);
  const cls = ['veth-edge', data.up ? 'up' : 'down', data.netemText ? 'impaired' : '', selected ? 'selected' : '', followed ? 'followed' : ''].join(' ');
  const title = `veth pair ${data.a.node}:${data.a.iface} ⟷ ${data.b.node}:${data.b.iface}${data.up ? '' : ' (an end is down)'}${
    data.netemText ? `\nimpaired (netem): ${data.netemText}` : ''
  }${data.rateText ? `\n${data.rateText}` : ''}`;
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} interactionWidth={24} />
      {data.flowing && <path d={path} className="veth-flow" fill="none" />}
      {followed && <path d={path} className="veth-followed" fill="none" />}
      {/* Where the packet layer draws this cable's dots, and the end its path starts at. */}
      <path d={path} className="veth-track" data-link={id} data-left={`${data.a.node}:${data.a.iface}`} fill="none" />
      {place.leaderFrom && <path d={`M ${place.leaderFrom.x} ${place.leaderFrom.y} L ${place.x} ${place.y}`} className="veth-leader" fill="none" />}
      <EdgeLabelRenderer>
        <button
          type="button"
          className={`veth-label nodrag nopan${selected ? ' selected' : ''}${data.up ? '' : ' down'}`}
          style={{ transform: `translate(-50%, ${place.leaderFrom ? '0' : '-50%'}) translate(${place.x}px, ${place.y}px)` }}
          onClick={() => select(id)}
          title={title}
          aria-label={`Link ${data.a.node}:${data.a.iface} to ${data.b.node}:${data.b.iface}`}
        >
          <span className="veth-ends">
            {data.a.iface}
            <span className="veth-label-sep" aria-hidden="true">
              ⟷
            </span>
            {data.b.iface}
          </span>
          {data.netemText && <span className="veth-netem">{data.netemText}</span>}
          {data.rateText && <span className="veth-rate">{data.rateText}</span>}
        </button>
      </EdgeLabelRenderer>
    </>
  );
}

export default memo(VethEdge);
