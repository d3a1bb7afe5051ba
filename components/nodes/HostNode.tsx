'use client';
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { HostNodeType } from './node-data';
import NodeBody from './NodeBody';

/** The machine itself (the root namespace); shows only the interfaces the lab made there. */
function HostNode({ data, selected }: NodeProps<HostNodeType>) {
  return (
    <div className={`lab-node host${selected ? ' selected' : ''}`} aria-label={`Host ${data.name}`}>
      <header className="lab-node-header">
        <svg className="host-icon" viewBox="0 0 20 20" aria-hidden="true">
          <rect x="2" y="3" width="16" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="M7 17h6M10 14v3" stroke="currentColor" strokeWidth="1.8" />
        </svg>
        <span className="node-name">{data.name}</span>
        <span className="node-kind">root namespace</span>
      </header>
      <NodeBody data={data} />
    </div>
  );
}

export default memo(HostNode);
