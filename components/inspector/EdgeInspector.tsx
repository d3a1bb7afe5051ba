'use client';
import type { Ack, LabEdit, TrafficRate } from '@/server/protocol';
import { useLabStore } from '../lab/lab-store';
import type { Endpoint, LinkSpec, Topology } from '@/server/model/topology';
import { linkState, LINK_STATE_TEXT } from '../nodes/node-data';
import { formatBytesPerSecond, formatPacketsPerSecond } from '../lib/format';
import NetemEditor from './NetemEditor';

interface Props {
  link: LinkSpec;
  topology: Topology;
  run(edit: LabEdit): Promise<Ack>;
  /** The kernel has sch_netem. */
  netem: boolean;
  onSelectNode(name: string): void;
  onCapture(): void;
  /** Deletes the cable (undo can bring it back). */
  onDelete(): void;
}

function End({ end, topology, rate, onSelectNode }: { end: Endpoint; topology: Topology; rate?: TrafficRate; onSelectNode(n: string): void }) {
  const spec = topology.nodes[end.node]?.interfaces[end.iface];
  const state = spec ? linkState(spec) : 'down';
  return (
    <section className="edge-end" role="group" aria-label={`End ${end.node}:${end.iface}`}>
      <header className="iface-editor-header">
        <span className={`state-dot ${state}`} role="img" aria-label={LINK_STATE_TEXT[state]} title={LINK_STATE_TEXT[state]} />
        <button type="button" className="link-button" onClick={() => onSelectNode(end.node)} title="Select this node">
          {end.node}
        </button>
        <span className="iface-editor-name">{end.iface}</span>
      </header>
      <ul className="plain-list">
        {(spec?.addresses.length ?? 0) === 0 ? <li className="muted">no address</li> : spec!.addresses.map((a) => <li key={a}><code>{a}</code></li>)}
      </ul>
      <p className="iface-observed">
        {LINK_STATE_TEXT[state]}
        {spec?.mac && ` · ${spec.mac}`}
        {rate && rate.txPps > 0 && ` · sending ${formatPacketsPerSecond(rate.txPps)}, ${formatBytesPerSecond(rate.txBps)}`}
      </p>
      <Counters rate={rate} stats={spec?.stats} />
    </section>
  );
}

/** The kernel's packet counters for an end, kept live by the traffic updates (what `ip -s link` shows). */
export function Counters({ rate, stats }: { rate?: TrafficRate; stats?: { rxPackets: number; txPackets: number } }) {
  const rx = rate?.rxPackets ?? stats?.rxPackets;
  const tx = rate?.txPackets ?? stats?.txPackets;
  if (rx === undefined || tx === undefined) return null;
  return (
    <p className="iface-counters" title="packets received / sent since the interface was made (ip -s link)">
      rx <span className="counter">{rx}</span> · tx <span className="counter">{tx}</span> packets
    </p>
  );
}

/** What moves on a cable nobody uses: said once, so a class does not wonder. */
export function BackgroundTrafficNote() {
  return (
    <p className="muted small background-note">
      An idle cable still carries a few packets now and then: the kernel&apos;s own IPv6 neighbour discovery (router and neighbour solicitations, multicast
      reports) when an interface comes up. Capture the cable to see them.
    </p>
  );
}

/** A veth pair: its two ends, their addresses in one click, and its impairments. */
export default function EdgeInspector({ link, topology, run, netem, onSelectNode, onCapture, onDelete }: Props) {
  const traffic = useLabStore((s) => s.traffic);
  const [a, b] = link.endpoints;
  const bridges = link.endpoints.filter((e) => topology.nodes[e.node]?.kind === 'bridge').length;
  const hasV4 = (e: Endpoint) => topology.nodes[e.node]?.interfaces[e.iface]?.addresses.some((x) => !x.includes(':')) ?? false;
  const addressable = bridges < 2 && (bridges === 1 ? link.endpoints.some((e) => topology.nodes[e.node]?.kind !== 'bridge' && !hasV4(e)) : !(hasV4(a) && hasV4(b)));
  return (
    <div className="inspector-content" aria-label={`Link ${a.node}:${a.iface} to ${b.node}:${b.iface}`}>
      <p className="inspector-kind">veth pair</p>
      <h2 className="inspector-title">
        {a.node} ⟷ {b.node}
      </h2>
      <End end={a} topology={topology} rate={traffic[`${a.node}:${a.iface}`]} onSelectNode={onSelectNode} />
      <End end={b} topology={topology} rate={traffic[`${b.node}:${b.iface}`]} onSelectNode={onSelectNode} />
      <BackgroundTrafficNote />
      <p className="muted small">Whatever enters one end leaves the other. Edit the addresses on each node, or:</p>
      <div className="inspector-actions">
        <button type="button" className="btn" onClick={onCapture} title="Capture this cable's packets (tcpdump), shown in the Packets tab and as dots on the cable">
          Capture packets
        </button>
        <button
          type="button"
          className="btn"
          disabled={!addressable}
          onClick={() => void run({ op: 'address-link', a, b })}
          title={addressable ? 'A free /24 for both ends (a /30 between routers; the LAN of a switch)' : 'The ends already have IPv4 addresses'}
        >
          Give addresses
        </button>
      </div>
      <NetemEditor key={JSON.stringify(link.netem ?? null)} link={link} run={run} available={netem} />
      <div className="inspector-actions">
        <button type="button" className="btn btn-danger-outline" onClick={onDelete}>
          Delete link
        </button>
      </div>
    </div>
  );
}
