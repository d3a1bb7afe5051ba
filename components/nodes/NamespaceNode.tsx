'use client';
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { NamespaceNodeType } from './node-data';
import NodeBody from './NodeBody';

/** A network namespace: a box with its own interfaces, addresses and routes. */
function NamespaceNode({ data, selected }: NodeProps<NamespaceNodeType>) {
  return (
    <div className={`lab-node netns${selected ? ' selected' : ''}`} aria-label={`Namespace ${data.name}`}>
      <header className="lab-node-header">
        <span className="node-kind">{data.spec.forwarding ? 'router' : 'netns'}</span>
        <span className="node-name">{data.name}</span>
      </header>
      <NodeBody data={data} />
    </div>
  );
}

export default memo(NamespaceNode);
