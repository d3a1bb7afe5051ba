'use client';
import { useState } from 'react';
import type { Ack, LabEdit, MacEntry } from '@/server/protocol';
import type { NodeSpec, Topology } from '@/server/model/topology';
import { netnsNameProblem, takenProblem } from '../lib/validate';
import InterfaceEditor from './InterfaceEditor';
import NameField from './NameField';
import PingDialog from './PingDialog';
import RoutesEditor from './RoutesEditor';
import BridgePanel from './BridgePanel';
import { KIND_VIEWS } from '../nodes/node-types';

interface Props {
  name: string;
  spec: NodeSpec;
  topology: Topology;
  run(edit: LabEdit): Promise<Ack>;
  onRenamed(from: string, to: string): void;
  onOpenTerminal(node: string): void;
  onPing(node: string, target: string): void;
  onCapture(): void;
  onDelete(): void;
  macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>>;
}

/** The name's own rules, then the other nodes' names: a clash shows while typing. */
const nameProblem = (taken: string[]) => (t: string) => {
  const p = netnsNameProblem(t);
  return p ? `the name ${p}` : takenProblem(t, taken, 'the name of another node');
};

/** Interfaces in the order a teacher expects: veths by name, loopback last. */
function interfaceOrder([a]: [string, unknown], [b]: [string, unknown]): number {
  return a === 'lo' ? 1 : b === 'lo' ? -1 : a.localeCompare(b, 'en', { numeric: true });
}

export default function NodeInspector({ name, spec, topology, run, onRenamed, onOpenTerminal, onPing, onCapture, onDelete, macTable }: Props) {
  const [pinging, setPinging] = useState(false);
  const interfaces = Object.entries(spec.interfaces).sort(interfaceOrder);
  const isHost = spec.kind === 'host';
  const isBridge = spec.kind === 'bridge';
  const title = KIND_VIEWS[spec.kind].title;
  const kernelRoutes = spec.kernelRoutes ?? [];
  return (
    <div className="inspector-content" aria-label={`${title} ${name}`}>
      <p className="inspector-kind">{title}</p>
      <NameField
        key={name}
        label={isHost ? 'Host name' : isBridge ? 'Switch name' : spec.kind === 'router' ? 'Router name' : 'Namespace name'}
        value={name}
        problem={nameProblem(Object.keys(topology.nodes).filter((n) => n !== name))}
        className="name-field"
        onCommit={async (to) => {
          const r = await run({ op: 'rename-node', from: name, to });
          if (r.ok) onRenamed(name, to);
          return r.ok;
        }}
      />
      <div className="inspector-actions">
        <button type="button" className="btn" onClick={() => onOpenTerminal(name)}>
          Open terminal
        </button>
        {!isBridge && (
          <button type="button" className="btn" onClick={() => setPinging(true)}>
            Ping
          </button>
        )}
        <button type="button" className="btn" onClick={onCapture} title="Capture the packets on every cable of this node (tcpdump), shown in the Packets tab and on the cables">
          Capture packets
        </button>
      </div>

      {isBridge ? (
        <BridgePanel name={name} spec={spec} run={run} macTable={macTable} />
      ) : (
        <label className="inspector-toggle" title="sysctl -w net.ipv4.ip_forward=1 (and IPv6): the node routes packets between its interfaces">
          <input type="checkbox" checked={spec.forwarding === true} onChange={(e) => void run({ op: 'set-forwarding', node: name, on: e.target.checked })} />
          IP forwarding (a router)
        </label>
      )}

      <h3 className="inspector-subtitle">Interfaces</h3>
      {interfaces.length === 0 && <p className="muted small">None yet: drag from this node&apos;s handle to another node to add a veth pair.</p>}
      {interfaces.map(([iface, i]) => (
        <InterfaceEditor key={`${iface} ${i.up} ${i.addresses.join(',')}`} node={name} iface={iface} spec={i} topology={topology} run={run} />
      ))}

      {!isBridge && <RoutesEditor key={JSON.stringify(spec.routes)} node={name} routes={spec.routes} interfaces={interfaces.map(([n]) => n)} run={run} />}
      {kernelRoutes.length > 0 && (
        <>
          <h3 className="inspector-subtitle">Routes the kernel made</h3>
          <ul className="plain-list kernel-routes" aria-label="routes the kernel made">
            {kernelRoutes.map((r) => (
              <li key={`${r.to} ${r.dev}`}>
                <code>
                  {r.to} dev {r.dev}
                </code>{' '}
                added by the kernel for {r.to} on {r.dev}
              </li>
            ))}
          </ul>
        </>
      )}

      <div className="inspector-danger">
        <button type="button" className="btn btn-danger-outline" onClick={onDelete}>
          Delete node
        </button>
        <p className="muted small">
          {isHost ? 'Removes the lab’s cables to the host; the host itself stays.' : isBridge ? 'Deletes the switch and its cables.' : 'Deletes the namespace, its cables and its terminals.'}
        </p>
      </div>

      {pinging && (
        <PingDialog
          node={name}
          topology={topology}
          onClose={() => setPinging(false)}
          onPing={(target) => {
            setPinging(false);
            onPing(name, target);
          }}
        />
      )}
    </div>
  );
}
