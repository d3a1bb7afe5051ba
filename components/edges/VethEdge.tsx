'use client';
import { memo, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { SelectEdgeContext } from '../canvas/select-context';
import type { VethEdgeType } from './edge-data';

/** A veth pair: a cable between two interfaces, dashed grey while an end is down, moving while packets pass. */
function VethEdge(props: EdgeProps<VethEdgeType>) {
  const { id, data, selected, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  const select = useContext(SelectEdgeContext);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  if (!data) return null;
  const cls = ['veth-edge', data.up ? 'up' : 'down', selected ? 'selected' : ''].join(' ');
  const title = `veth pair ${data.a.node}:${data.a.iface} ⟷ ${data.b.node}:${data.b.iface}${data.up ? '' : ' (an end is down)'}${
    data.rateText ? `\n${data.rateText}` : ''
  }`;
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} interactionWidth={24} />
      {data.flowing && <path d={path} className="veth-flow" fill="none" />}
      <EdgeLabelRenderer>
        <button
          type="button"
          className={`veth-label nodrag nopan${selected ? ' selected' : ''}${data.up ? '' : ' down'}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
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
          {data.rateText && <span className="veth-rate">{data.rateText}</span>}
        </button>
      </EdgeLabelRenderer>
    </>
  );
}

export default memo(VethEdge);
