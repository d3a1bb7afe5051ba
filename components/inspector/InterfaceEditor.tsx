'use client';
import { useId, useState } from 'react';
import type { Ack, LabEdit } from '@/server/protocol';
import type { InterfaceSpec } from '@/server/model/topology';
import { linkState, LINK_STATE_TEXT } from '../nodes/node-data';
import { addressListProblems, interfaceNameProblem } from '../lib/validate';

interface Props {
  node: string;
  iface: string;
  spec: InterfaceSpec;
  run(edit: LabEdit): Promise<Ack>;
}

/**
 * One interface: name, addresses, up/down, applied together with `set-interface`.
 * The parent re-mounts it when the server's addresses or state change, which
 * resets the draft to what the kernel has.
 */
export default function InterfaceEditor({ node, iface, spec, run }: Props) {
  const [name, setName] = useState(iface);
  const [addresses, setAddresses] = useState<string[]>(spec.addresses);
  const [up, setUp] = useState(spec.up);
  const [mtu, setMtu] = useState(String(spec.mtu ?? (iface === 'lo' ? 65536 : 1500)));
  const [busy, setBusy] = useState(false);
  const id = useId();

  const problems = addressListProblems(addresses);
  const nameProblem = name === iface ? null : interfaceNameProblem(name);
  const shownMtu = String(spec.mtu ?? (iface === 'lo' ? 65536 : 1500));
  const mtuProblem = /^\d{2,5}$/.test(mtu) && Number(mtu) >= 68 && Number(mtu) <= 65535 ? null : 'the MTU is a whole number of bytes from 68 to 65535';
  const dirty = name !== iface || up !== spec.up || addresses.join('\n') !== spec.addresses.join('\n') || mtu !== shownMtu;
  const invalid = !!nameProblem || problems.some((p) => p !== null) || mtuProblem !== null;
  const state = linkState(spec);

  const apply = async () => {
    if (invalid || !dirty || busy) return;
    setBusy(true);
    await run({ op: 'set-interface', node, iface, rename: name !== iface ? name : undefined, addresses: addresses.map((a) => a.trim()), up, ...(mtu !== shownMtu ? { mtu: Number(mtu) } : {}) });
    setBusy(false);
  };

  const setAddress = (i: number, text: string) => setAddresses((list) => list.map((a, j) => (j === i ? text : a)));

  return (
    <section className="iface-editor" role="group" aria-label={`Interface ${iface}`}>
      <header className="iface-editor-header">
        <span className={`state-dot ${state}`} role="img" aria-label={LINK_STATE_TEXT[state]} title={LINK_STATE_TEXT[state]} />
        <span className="iface-editor-name">{iface}</span>
        <span className="iface-editor-kind">{spec.kind ?? ''}</span>
      </header>
      {spec.kind !== 'loopback' && (
        <div className="field field-inline">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={name}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={!!nameProblem}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && apply()}
          />
        </div>
      )}
      {nameProblem && <p className="field-error">interface name {nameProblem}</p>}

      <fieldset className="address-list">
        <legend>Addresses</legend>
        {addresses.length === 0 && <p className="muted small">none</p>}
        {addresses.map((a, i) => (
          <div key={i} className="address-row">
            <input
              value={a}
              placeholder="10.0.1.1/24"
              spellCheck={false}
              autoComplete="off"
              aria-label={`Address ${i + 1} of ${iface}`}
              aria-invalid={!!problems[i]}
              aria-describedby={problems[i] ? `${id}-addr-${i}` : undefined}
              onChange={(e) => setAddress(i, e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && apply()}
            />
            <button type="button" className="btn-icon" aria-label={`Remove address ${i + 1} of ${iface}`} onClick={() => setAddresses((l) => l.filter((_, j) => j !== i))}>
              ×
            </button>
            {problems[i] && (
              <p id={`${id}-addr-${i}`} className="field-error">
                {problems[i]}
              </p>
            )}
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setAddresses((l) => [...l, ''])}>
          Add address
        </button>
      </fieldset>

      <div className="iface-mtu">
        <label htmlFor={`${id}-mtu`}>MTU</label>
        <input id={`${id}-mtu`} className="mono" inputMode="numeric" value={mtu} onChange={(e) => setMtu(e.target.value)} aria-invalid={mtuProblem !== null} size={6} />
        {mtuProblem && <span className="field-error">{mtuProblem}</span>}
      </div>

      <div className="iface-editor-footer">
        <label className="switch">
          <input type="checkbox" role="switch" checked={up} onChange={(e) => setUp(e.target.checked)} aria-label={`${iface} up`} />
          <span>{up ? 'Up' : 'Down'}</span>
        </label>
        {dirty && !invalid && <span className="muted small">not applied yet</span>}
        <button type="button" className="btn btn-primary btn-small" disabled={invalid || !dirty || busy} onClick={apply}>
          Apply
        </button>
      </div>
      {spec.mac && (
        <p className="iface-observed">
          <span title="MAC address">{spec.mac}</span>
          {spec.stats && (
            <span title="packets received / sent">
              {' · '}rx {spec.stats.rxPackets} / tx {spec.stats.txPackets} pkts
            </span>
          )}
        </p>
      )}
    </section>
  );
}
