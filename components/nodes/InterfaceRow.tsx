'use client';
import { memo } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { DanglingEnd, InterfaceSpec } from '@/server/model/topology';
import { interfaceHandleId, linkState, LINK_STATE_TEXT } from './node-data';

interface Props {
  name: string;
  spec: InterfaceSpec;
  dangling?: DanglingEnd;
  /** A switch's port: it carries frames, not addresses. */
  port?: boolean;
}

/** One interface of a node: its name, state dot and addresses; edges attach to its sides. */
function InterfaceRow({ name, spec, dangling, port = false }: Props) {
  const state = linkState(spec);
  return (
    <li className="iface-row" data-iface={name}>
      <Handle type="source" position={Position.Left} id={interfaceHandleId(name, 'l')} isConnectable={false} className="iface-handle" />
      <span className={`state-dot ${state}`} title={LINK_STATE_TEXT[state]} aria-label={LINK_STATE_TEXT[state]} role="img" />
      <span className="iface-name">{name}</span>
      <span className="iface-addrs">
        {spec.addresses.length === 0 ? <span className="muted">{port ? 'port' : 'no address'}</span> : spec.addresses.map((a) => <span key={a}>{a}</span>)}
        {spec.mtu !== undefined && <span className="iface-mtu-badge" title="MTU in bytes (not the default)">mtu {spec.mtu}</span>}
      </span>
      {dangling && (
        <span className="dangling-stub" title={`veth peer is in ${dangling.peer}, outside this lab`} aria-label={`peer outside the lab (${dangling.peer})`} role="img" />
      )}
      <Handle type="source" position={Position.Right} id={interfaceHandleId(name, 'r')} isConnectable={false} className="iface-handle" />
    </li>
  );
}

export default memo(InterfaceRow);
