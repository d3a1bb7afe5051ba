'use client';
import { useId, useMemo, useState } from 'react';
import { parseAddress } from '@/server/model/prefix';
import type { Topology } from '@/server/model/topology';
import Modal from '../ui/Modal';

interface Props {
  node: string;
  topology: Topology;
  onPing(target: string): void;
  onClose(): void;
}

interface Target {
  address: string;
  where: string;
}

/** The lab's addresses other than the node's own: what a class would try to reach. */
function targetsFor(topology: Topology, node: string): Target[] {
  const out: Target[] = [];
  for (const [name, spec] of Object.entries(topology.nodes)) {
    if (name === node) continue;
    for (const [iface, i] of Object.entries(spec.interfaces)) {
      for (const a of i.addresses) out.push({ address: a.split('/')[0], where: `${name} · ${iface}` });
    }
  }
  return out;
}

/** `Ping`: pick an address of the lab (or type one); a terminal tab runs `ping -c 3` to it. */
export default function PingDialog({ node, topology, onPing, onClose }: Props) {
  const targets = useMemo(() => targetsFor(topology, node), [topology, node]);
  const [target, setTarget] = useState(targets[0]?.address ?? '');
  const id = useId();
  const valid = parseAddress(target.trim()) !== null;
  const go = () => valid && onPing(target.trim());
  return (
    <Modal title={`Ping from ${node}`} onClose={onClose} className="ping-dialog">
      {targets.length > 0 ? (
        <div className="ping-targets" role="radiogroup" aria-label="Addresses in the lab">
          {targets.map((t) => (
            <label key={`${t.address} ${t.where}`} className="ping-target">
              <input type="radio" name={`${id}-t`} checked={target === t.address} onChange={() => setTarget(t.address)} />
              <code>{t.address}</code>
              <span className="muted">{t.where}</span>
            </label>
          ))}
        </div>
      ) : (
        <p className="muted">No other node of the lab has an address yet.</p>
      )}
      <div className="field">
        <label htmlFor={`${id}-custom`}>Address</label>
        <input
          id={`${id}-custom`}
          value={target}
          placeholder="10.0.1.1"
          spellCheck={false}
          aria-invalid={target !== '' && !valid}
          onChange={(e) => setTarget(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && go()}
        />
        {target !== '' && !valid && <p className="field-error">an IPv4 or IPv6 address, without a prefix length</p>}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={!valid} onClick={go}>
          Run ping
        </button>
      </div>
    </Modal>
  );
}
