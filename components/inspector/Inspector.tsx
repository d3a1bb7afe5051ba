'use client';
import type { CaptureScope, Ack, LabEdit, MacEntry } from '@/server/protocol';
import { linkKey, type Topology } from '@/server/model/topology';
import type { Selection } from '../hooks/useFlowElements';
import EdgeInspector from './EdgeInspector';
import NodeInspector from './NodeInspector';

interface Props {
  selection: Selection;
  topology: Topology | null;
  run(edit: LabEdit): Promise<Ack>;
  onSelect(selection: Selection): void;
  onOpenTerminal(node: string): void;
  onPing(node: string, target: string): void;
  /** Starts capturing a node's or a cable's packets and shows them. */
  onCapture(scope: CaptureScope): void;
  /** Deletes a node or a cable (a node with terminals or several cables asks first). */
  onDelete(selection: NonNullable<Selection>): void;
  macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>>;
  /** The kernel can impair cables (sch_netem). */
  netem: boolean;
  /** A view-only link: everything shows, nothing can be changed (the server refuses it anyway). */
  readOnly?: boolean;
}

function Legend() {
  return (
    <div className="inspector-content inspector-empty">
      <p>Select a node or a cable to edit it.</p>
      <ul className="legend">
        <li>
          <span className="state-dot up" /> interface up
        </li>
        <li>
          <span className="state-dot no-carrier" /> up, but the other end is down
        </li>
        <li>
          <span className="state-dot down" /> interface down
        </li>
        <li>
          <span className="legend-line" /> veth pair, both ends up
        </li>
        <li>
          <span className="legend-line down" /> veth pair with an end down
        </li>
        <li>
          <span className="legend-line impaired" /> cable with impairments (netem)
        </li>
        <li>
          <span className="legend-stub" /> veth whose peer is outside the lab
        </li>
        <li>
          <span className="legend-route" /> route the kernel made for an address
        </li>
      </ul>
      <p className="muted small">Delete removes the selected node or cable; Ctrl Z brings it back. Press ? for every shortcut.</p>
      <p className="muted small">
        An idle cable still shows a packet now and then: the kernel&apos;s own IPv6 neighbour discovery. Capture it to see them.
      </p>
    </div>
  );
}

/** The right-hand panel: the selected node or link, or a legend. */
export default function Inspector({ selection, topology, run, onSelect, onOpenTerminal, onPing, onCapture, onDelete, macTable, netem, readOnly = false }: Props) {
  let content = <Legend />;
  if (topology && selection?.kind === 'node' && topology.nodes[selection.id]) {
    content = (
      <NodeInspector
        key={selection.id}
        name={selection.id}
        spec={topology.nodes[selection.id]}
        topology={topology}
        run={run}
        onRenamed={(_, to) => onSelect({ kind: 'node', id: to })}
        onOpenTerminal={onOpenTerminal}
        onPing={onPing}
        onCapture={() => onCapture({ node: selection.id })}
        onDelete={() => onDelete({ kind: 'node', id: selection.id })}
        macTable={macTable}
      />
    );
  } else if (topology && selection?.kind === 'edge') {
    const link = topology.links.find((l) => linkKey(l) === selection.id);
    if (link) content = <EdgeInspector link={link} topology={topology} run={run} netem={netem} onSelectNode={(id) => onSelect({ kind: 'node', id })} onCapture={() => onCapture({ link: selection.id })} onDelete={() => onDelete({ kind: 'edge', id: selection.id })} />;
  }
  return (
    <aside className="inspector" aria-label="Inspector">
      {readOnly && <p className="inspector-readonly">View-only link: the lab is shown as it is and cannot be changed from here.</p>}
      {/* A disabled fieldset disables every field and button inside it at once. */}
      <fieldset className="inspector-fieldset" disabled={readOnly}>
        {content}
      </fieldset>
    </aside>
  );
}
