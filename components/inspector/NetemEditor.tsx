'use client';
import { useState } from 'react';
import type { Ack, LabEdit } from '@/server/protocol';
import type { Endpoint, LinkSpec, NetemSpec } from '@/server/model/topology';
import { sameNetem } from '@/server/model/netem';

interface Props {
  link: LinkSpec;
  run(edit: LabEdit): Promise<Ack>;
  /** The kernel has sch_netem. */
  available: boolean;
}

/** The fields, their units on the page, and how the page's number becomes the model's. */
const FIELDS = [
  { key: 'delay', label: 'Delay', unit: 'ms', scale: 1, max: 60000 },
  { key: 'jitter', label: 'Jitter', unit: 'ms', scale: 1, max: 60000 },
  { key: 'loss', label: 'Loss', unit: '%', scale: 1, max: 100 },
  { key: 'rate', label: 'Rate', unit: 'Mbit/s', scale: 1e6, max: 100000 },
  { key: 'duplicate', label: 'Duplicate', unit: '%', scale: 1, max: 100 },
  { key: 'corrupt', label: 'Corrupt', unit: '%', scale: 1, max: 100 },
  { key: 'reorder', label: 'Reorder', unit: '%', scale: 1, max: 100 },
] as const;

type Draft = Record<(typeof FIELDS)[number]['key'], string>;

function draftOf(spec: NetemSpec | null | undefined): Draft {
  const d = {} as Draft;
  for (const f of FIELDS) d[f.key] = spec?.[f.key] !== undefined ? String(spec[f.key]! / f.scale) : '';
  return d;
}

function specOf(d: Draft): NetemSpec | null {
  const spec: NetemSpec = {};
  for (const f of FIELDS) {
    const text = d[f.key].trim();
    if (text !== '') spec[f.key] = Number(text) * f.scale;
  }
  return Object.keys(spec).length > 0 ? spec : null;
}

function Fields({ draft, onChange, idPrefix }: { draft: Draft; onChange(d: Draft): void; idPrefix: string }) {
  return (
    <div className="netem-grid">
      {FIELDS.map((f) => (
        <label key={f.key} htmlFor={`${idPrefix}-${f.key}`} style={{ display: 'contents' }}>
          <span>{f.label}</span>
          <span style={{ display: 'flex', gap: '0.4rem', alignItems: 'center' }}>
            <input
              id={`${idPrefix}-${f.key}`}
              type="number"
              min={0}
              max={f.max}
              step="any"
              inputMode="decimal"
              value={draft[f.key]}
              placeholder="none"
              aria-label={`${f.label} (${f.unit})`}
              onChange={(e) => onChange({ ...draft, [f.key]: e.target.value })}
            />
            <span className="netem-unit">{f.unit}</span>
          </span>
        </label>
      ))}
    </div>
  );
}

const endText = (e: Endpoint) => `${e.node}:${e.iface}`;

/** netem on a cable: one setting for both directions, or one per direction (what each end sends). */
export default function NetemEditor({ link, run, available }: Props) {
  const [a, b] = link.endpoints;
  const [na, nb] = link.netem ?? [null, null];
  const [together, setTogether] = useState(sameNetem(na, nb));
  const [fromA, setFromA] = useState(draftOf(na));
  const [fromB, setFromB] = useState(draftOf(together ? na : nb));
  const apply = async () => {
    const sa = specOf(fromA);
    await run({ op: 'set-netem', a, b, netem: [sa, together ? sa : specOf(fromB)] });
  };
  return (
    <section aria-label="Impairments">
      <h3 className="inspector-subtitle">Impairments (netem)</h3>
      {!available && (
        <p className="muted small" role="note">
          This machine&apos;s kernel has no netem (the sch_netem module), so cables cannot be delayed or made lossy here. Load it with <code>modprobe sch_netem</code> and restart the server.
        </p>
      )}
      <fieldset className="inspector-fieldset" disabled={!available}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void apply();
          }}
        >
          <label className="inspector-toggle">
            <input type="checkbox" checked={together} onChange={(e) => setTogether(e.target.checked)} />
            The same both ways
          </label>
          {together ? (
            <Fields draft={fromA} onChange={setFromA} idPrefix="netem-both" />
          ) : (
            <>
              <p className="small">
                What <code>{endText(a)}</code> sends (towards {b.node})
              </p>
              <Fields draft={fromA} onChange={setFromA} idPrefix="netem-a" />
              <p className="small">
                What <code>{endText(b)}</code> sends (towards {a.node})
              </p>
              <Fields draft={fromB} onChange={setFromB} idPrefix="netem-b" />
            </>
          )}
          <div className="inspector-actions">
            <button type="submit" className="btn btn-primary">
              Apply impairments
            </button>
            {link.netem && (
              <button type="button" className="btn" onClick={() => void run({ op: 'set-netem', a, b, netem: [null, null] })}>
                Remove
              </button>
            )}
          </div>
          <p className="muted small">
            Each end gets <code>tc qdisc replace dev END root netem …</code>: it delays or drops what that end sends.
          </p>
        </form>
      </fieldset>
    </section>
  );
}
