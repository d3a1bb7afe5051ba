'use client';
import { useId, useState } from 'react';
import type { Ack, LabEdit } from '@/server/protocol';
import type { InterfaceSpec, Topology } from '@/server/model/topology';
import { linkState, LINK_STATE_TEXT } from '../nodes/node-data';
import { addressListProblems, interfaceNameProblem, sameAddressWarning, takenProblem } from '../lib/validate';
import { useLabStore } from '../lab/lab-store';
import { fieldKeys } from '../lib/field-keys';
import { Counters } from './EdgeInspector';

interface Props {
  node: string;
  iface: string;
  spec: InterfaceSpec;
  topology: Topology;
  run(edit: LabEdit): Promise<Ack>;
}

/**
 * One interface: name, addresses, up/down, applied together with `set-interface`.
 * The parent re-mounts it when the server's addresses or state change, which
 * resets the draft to what the kernel has. Every field applies on Enter and
 * reverts on Escape; a field shows its error once something was typed in it
 * or it was left, never on an empty field just added.
 */
export default function InterfaceEditor({ node, iface, spec, topology, run }: Props) {
  const [name, setName] = useState(iface);
  const [addresses, setAddresses] = useState<string[]>(spec.addresses);
  const [up, setUp] = useState(spec.up);
  const shownMtu = String(spec.mtu ?? (iface === 'lo' ? 65536 : 1500));
  const [mtu, setMtu] = useState(shownMtu);
  const [busy, setBusy] = useState(false);
  /** Address rows the teacher has left or tried to apply: their errors show even when empty. */
  const [touched, setTouched] = useState<Set<number>>(new Set());
  /** The row just added, to take the focus. */
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const rate = useLabStore((s) => s.traffic[`${node}:${iface}`]);
  const id = useId();

  const problems = addressListProblems(addresses);
  const shownProblem = (i: number) => (touched.has(i) || addresses[i].trim() !== '' ? problems[i] : null);
  const others = Object.keys(topology.nodes[node]?.interfaces ?? {}).filter((n) => n !== iface);
  const nameProblem = name === iface ? null : (interfaceNameProblem(name) ?? takenProblem(name, others, `an interface of ${node}`));
  // The kernel's own value is never an error (lo has 65536, one more than may be set).
  const mtuProblem = mtu === shownMtu || (/^\d{2,5}$/.test(mtu) && Number(mtu) >= 68 && Number(mtu) <= 65535) ? null : 'the MTU is a whole number of bytes from 68 to 65535';
  const dirty = name !== iface || up !== spec.up || addresses.join('\n') !== spec.addresses.join('\n') || mtu !== shownMtu;
  const invalid = !!nameProblem || problems.some((p) => p !== null) || mtuProblem !== null;
  const state = linkState(spec);

  const apply = async () => {
    if (invalid) return setTouched(new Set(addresses.map((_, i) => i)));
    if (!dirty || busy) return;
    setBusy(true);
    await run({ op: 'set-interface', node, iface, rename: name !== iface ? name : undefined, addresses: addresses.map((a) => a.trim()), up, ...(mtu !== shownMtu ? { mtu: Number(mtu) } : {}) });
    setBusy(false);
  };

  const keys = (revert: () => void) => fieldKeys(apply, revert);

  const setAddress = (i: number, text: string) => setAddresses((list) => list.map((a, j) => (j === i ? text : a)));
  const revertAddress = (i: number) => {
    // A row the kernel has goes back to its address; a new row goes away.
    if (i < spec.addresses.length && addresses.length === spec.addresses.length) setAddress(i, spec.addresses[i]);
    else if (i >= spec.addresses.length) setAddresses((l) => l.filter((_, j) => j !== i));
    else setAddresses(spec.addresses);
  };

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
            aria-describedby={nameProblem ? `${id}-name-err` : undefined}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={keys(() => setName(iface))}
          />
        </div>
      )}
      {nameProblem && (
        <p id={`${id}-name-err`} className="field-error">
          interface name {nameProblem}
        </p>
      )}

      <fieldset className="address-list">
        <legend>Addresses</legend>
        {addresses.length === 0 && <p className="muted small">none</p>}
        {addresses.map((a, i) => {
          const problem = shownProblem(i);
          const warning = problem ? null : sameAddressWarning(topology, { node, iface }, a);
          return (
            <div key={i} className="address-row">
              <input
                value={a}
                placeholder="10.0.1.1/24"
                spellCheck={false}
                autoComplete="off"
                autoFocus={focusRow === i}
                aria-label={`Address ${i + 1} of ${iface}`}
                aria-invalid={!!problem}
                aria-describedby={problem || warning ? `${id}-addr-${i}` : undefined}
                onChange={(e) => setAddress(i, e.target.value)}
                onBlur={() => setTouched((t) => new Set(t).add(i))}
                onKeyDown={keys(() => revertAddress(i))}
              />
              <button type="button" className="btn-icon" aria-label={`Remove address ${i + 1} of ${iface}`} onClick={() => setAddresses((l) => l.filter((_, j) => j !== i))}>
                ×
              </button>
              {problem && (
                <p id={`${id}-addr-${i}`} className="field-error">
                  {problem}
                </p>
              )}
              {warning && (
                <p id={`${id}-addr-${i}`} className="field-warning" role="note">
                  {warning}
                </p>
              )}
            </div>
          );
        })}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setFocusRow(addresses.length);
            setAddresses((l) => [...l, '']);
          }}
        >
          Add address
        </button>
      </fieldset>

      <div className="iface-mtu">
        <label htmlFor={`${id}-mtu`}>MTU</label>
        <input id={`${id}-mtu`} className="mono" inputMode="numeric" value={mtu} onChange={(e) => setMtu(e.target.value)} onKeyDown={keys(() => setMtu(shownMtu))} aria-invalid={mtuProblem !== null} size={6} />
        {mtuProblem && <span className="field-error">{mtuProblem}</span>}
      </div>

      <div className="iface-editor-footer">
        <label className="switch">
          <input type="checkbox" role="switch" checked={up} onChange={(e) => setUp(e.target.checked)} aria-label={`${iface} up`} />
          <span>{up ? 'Up' : 'Down'}</span>
        </label>
        {dirty && !invalid && <span className="muted small">not applied yet (Enter)</span>}
        <button type="button" className="btn btn-primary btn-small" disabled={invalid || !dirty || busy} onClick={() => void apply()}>
          Apply
        </button>
      </div>
      {spec.mac && (
        <div className="iface-observed">
          <span title="MAC address">{spec.mac}</span>
          <Counters rate={rate} stats={spec.stats} />
        </div>
      )}
    </section>
  );
}
