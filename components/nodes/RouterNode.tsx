'use client';
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { RouterNodeType } from './node-data';
import NodeBody from './NodeBody';

/** A namespace with forwarding on: it routes between its interfaces. */
function RouterNode({ data, selected }: NodeProps<RouterNodeType>) {
  return (
    <div className={`lab-node router${selected ? ' selected' : ''}`} aria-label={`Router ${data.name}`}>
      <header className="lab-node-header">
        <svg className="node-icon" viewBox="0 0 20 20" aria-hidden="true">
          <circle cx="10" cy="10" r="8" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="M5 10h10M12 7l3 3-3 3M8 7 5 10l3 3" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="node-name">{data.name}</span>
        <span className="node-kind" title="A namespace with IP forwarding on">router</span>
      </header>
      <NodeBody data={data} />
    </div>
  );
}

export default memo(RouterNode);
