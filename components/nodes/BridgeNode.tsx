'use client';
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { BridgeNodeType } from './node-data';
import NodeBody from './NodeBody';

/** A Linux bridge: a switch in the root namespace whose ports are the ends of its cables. */
function BridgeNode({ data, selected }: NodeProps<BridgeNodeType>) {
  const { stp, vlanFiltering } = data.spec.bridge ?? { stp: false, vlanFiltering: false };
  return (
    <div className={`lab-node bridge${selected ? ' selected' : ''}`} aria-label={`Switch ${data.name}`}>
      <header className="lab-node-header">
        <svg className="node-icon" viewBox="0 0 20 20" aria-hidden="true">
          <rect x="1.5" y="5" width="17" height="10" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="M5 12V9M8.5 12V9M12 12V9M15.5 12V9" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
        <span className="node-name">{data.name}</span>
        <span className="node-kind" title="A Linux bridge (ip link add NAME type bridge)">
          switch{stp ? ' · STP' : ''}
          {vlanFiltering ? ' · VLAN' : ''}
        </span>
      </header>
      <NodeBody data={data} />
    </div>
  );
}

export default memo(BridgeNode);
