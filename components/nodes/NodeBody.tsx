'use client';
import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import { CONNECT_HANDLE_ID, shownInterfaces, type LabNodeData } from './node-data';
import InterfaceRow from './InterfaceRow';

/** Routes shown on the node itself; the inspector lists them all. */
const ROUTES_SHOWN = 3;

/** What namespace and host nodes share: the connect handle, interfaces and a route summary. */
function NodeBody({ data }: { data: LabNodeData }) {
  const interfaces = shownInterfaces(data.spec);
  const updateNodeInternals = useUpdateNodeInternals();
  const handlesKey = interfaces.map(([n]) => n).join(' ');
  // New or renamed interfaces mean new handles; React Flow must measure them before edges can attach.
  useEffect(() => updateNodeInternals(data.name), [handlesKey, data.name, updateNodeInternals]);

  const routes = data.spec.routes;
  return (
    <>
      <Handle
        type="source"
        position={Position.Right}
        id={CONNECT_HANDLE_ID}
        className="connect-handle"
        aria-label={`Connect ${data.name}`}
        title="Drag to another node to add a veth pair"
      />
      {interfaces.length === 0 ? (
        <p className="node-empty">no interfaces yet</p>
      ) : (
        <ul className="iface-list">
          {interfaces.map(([name, spec]) => (
            <InterfaceRow key={name} name={name} spec={spec} dangling={data.dangling.find((d) => d.endpoint.iface === name)} />
          ))}
        </ul>
      )}
      {routes.length > 0 && (
        <ul className="route-list" aria-label="routes">
          {routes.slice(0, ROUTES_SHOWN).map((r, i) => (
            <li key={i}>
              {r.to}
              {r.via ? ` via ${r.via}` : ''}
              {r.dev && !r.via ? ` dev ${r.dev}` : ''}
            </li>
          ))}
          {routes.length > ROUTES_SHOWN && <li className="muted">+{routes.length - ROUTES_SHOWN} more</li>}
        </ul>
      )}
    </>
  );
}

export default memo(NodeBody);
