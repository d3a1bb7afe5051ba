'use client';
import { useEffect, useState } from 'react';
import type { Ack, LabEdit, MacEntry } from '@/server/protocol';
import type { NodeSpec } from '@/server/model/topology';

/** How often the MAC table is read while the inspector shows a switch. */
const MAC_TABLE_REFRESH_MS = 2000;

interface Props {
  name: string;
  spec: NodeSpec;
  run(edit: LabEdit): Promise<Ack>;
  macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>>;
}

/** A switch's settings and its MAC table (`bridge fdb show br NAME`), live. */
export default function BridgePanel({ name, spec, run, macTable }: Props) {
  const settings = spec.bridge ?? { stp: false, vlanFiltering: false };
  const [entries, setEntries] = useState<MacEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    const read = async () => {
      const r = await macTable(name);
      if (!alive) return;
      if (r.ok) {
        setEntries(r.entries);
        setError(null);
      } else setError(r.error);
    };
    void read();
    const timer = setInterval(() => void read(), MAC_TABLE_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [name, macTable]);
  const learned = entries?.filter((e) => !e.local) ?? [];
  return (
    <section aria-label="Switch">
      <label className="inspector-toggle" title={`ip link set ${name} type bridge stp_state 1: ports agree on a loop-free tree (ports wait about 30 s before forwarding)`}>
        <input type="checkbox" checked={settings.stp} onChange={(e) => void run({ op: 'set-bridge', node: name, stp: e.target.checked, vlanFiltering: settings.vlanFiltering })} />
        Spanning tree (STP)
      </label>
      <label className="inspector-toggle" title={`ip link set ${name} type bridge vlan_filtering 1: frames are switched per 802.1Q VLAN`}>
        <input type="checkbox" checked={settings.vlanFiltering} onChange={(e) => void run({ op: 'set-bridge', node: name, stp: settings.stp, vlanFiltering: e.target.checked })} />
        VLAN filtering
      </label>
      <h3 className="inspector-subtitle">MAC table</h3>
      <p className="muted small">
        Learned from traffic, as <code>bridge fdb show br {name}</code> prints it; entries age out after 5 minutes.
      </p>
      {error && <p className="small error-text">{error}</p>}
      {entries !== null && learned.length === 0 && <p className="muted small">Nothing learned yet: send some traffic across the switch (a ping).</p>}
      {learned.length > 0 && (
        <table className="mac-table" aria-label={`MAC table of ${name}`}>
          <thead>
            <tr>
              <th>MAC</th>
              <th>port</th>
            </tr>
          </thead>
          <tbody>
            {learned.map((e) => (
              <tr key={`${e.mac} ${e.port}`}>
                <td>
                  <code>{e.mac}</code>
                </td>
                <td>{e.port}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
