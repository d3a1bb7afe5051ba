'use client';
import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import { CONNECT_HANDLE_ID, shownInterfaces, type LabNodeData } from './node-data';
import InterfaceRow from './InterfaceRow';

/** Routes shown on the node itself (the kernel's included); the inspector lists them all. */
const ROUTES_SHOWN = 4;

/** What namespace and host nodes share: the connect handle, interfaces and a route summary. */
function NodeBody({ data }: { data: LabNodeData }) {
  const interfaces = shownInterfaces(data.spec, data.name);
  const updateNodeInternals = useUpdateNodeInternals();
  const handlesKey = interfaces.map(([n]) => n).join(' ');
  // New or renamed interfaces mean new handles; React Flow must measure them before edges can attach.
  useEffect(() => updateNodeInternals(data.name), [handlesKey, data.name, updateNodeInternals]);

  const routes = data.spec.routes;
  const kernel = data.spec.kernelRoutes ?? [];
  const kernelShown = kernel.slice(0, Math.max(0, ROUTES_SHOWN - routes.length));
  const hidden = routes.length + kernel.length - Math.min(routes.length, ROUTES_SHOWN) - kernelShown.length;
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
            <InterfaceRow key={name} name={name} spec={spec} port={data.spec.kind === 'bridge' && name !== data.name} dangling={data.dangling.find((d) => d.endpoint.iface === name)} />
          ))}
        </ul>
      )}
      {routes.length + kernel.length > 0 && (
        <ul className="route-list" aria-label="routes">
          {routes.slice(0, ROUTES_SHOWN).map((r, i) => (
            <li key={i}>
              {r.to}
              {r.via ? ` via ${r.via}` : ''}
              {r.dev && !r.via ? ` dev ${r.dev}` : ''}
            </li>
          ))}
          {kernelShown.map((r) => (
            <li key={`k ${r.to} ${r.dev}`} className="kernel-route" title={`added by the kernel for ${r.to} on ${r.dev}`}>
              {r.to} dev {r.dev}
            </li>
          ))}
          {hidden > 0 && <li className="muted">+{hidden} more</li>}
        </ul>
      )}
    </>
  );
}

export default memo(NodeBody);
