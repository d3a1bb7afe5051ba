'use client';
import { useState } from 'react';
import type { Ack, LabEdit } from '@/server/protocol';
import type { RouteSpec } from '@/server/model/topology';
import { hasProblems, routeProblems, type RouteDraft, type RouteProblems } from '../lib/validate';
import { fieldKeys } from '../lib/field-keys';

interface Props {
  node: string;
  routes: RouteSpec[];
  interfaces: string[];
  run(edit: LabEdit): Promise<Ack>;
}

function toDraft(r: RouteSpec): RouteDraft {
  return { to: r.to, via: r.via ?? '', dev: r.dev ?? '' };
}

function toSpec(d: RouteDraft): RouteSpec {
  const r: RouteSpec = { to: d.to.trim() };
  if (d.via.trim()) r.via = d.via.trim();
  if (d.dev) r.dev = d.dev;
  return r;
}

/** The node's routing table (main table, the lab's routes), applied at once with `set-routes`. Re-mounted on change. */
export default function RoutesEditor({ node, routes, interfaces, run }: Props) {
  const [rows, setRows] = useState<RouteDraft[]>(() => routes.map(toDraft));
  const [busy, setBusy] = useState(false);
  /** Fields (`row:field`) left, or every field once Apply was tried: their errors show even while empty. */
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const problems = rows.map((r) => routeProblems(r, interfaces));
  // A field's error shows once it has text or was left; a row just added is not red before anything is typed.
  const shown = (i: number): RouteProblems =>
    Object.fromEntries(Object.entries(problems[i]).filter(([field]) => touched.has(`${i}:${field}`) || touched.has(`${i}:*`) || rows[i][field as keyof RouteDraft].trim() !== ''));
  const invalid = problems.some(hasProblems);
  const dirty = JSON.stringify(rows.map(toSpec)) !== JSON.stringify(routes.map((r) => toSpec(toDraft(r))));
  const hasDefault = rows.some((r) => r.to.trim() === 'default');

  const set = (i: number, patch: Partial<RouteDraft>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const apply = async () => {
    if (invalid) return setTouched(new Set(rows.map((_, i) => `${i}:*`)));
    if (!dirty || busy) return;
    setBusy(true);
    await run({ op: 'set-routes', node, routes: rows.map(toSpec) });
    setBusy(false);
  };

  /** Enter applies the routes; Escape puts the row back as it was (a new row goes away). */
  const keys = (i: number) =>
    fieldKeys(apply, () => {
      if (i < routes.length && rows.length === routes.length) setRows((rs) => rs.map((r, j) => (j === i ? toDraft(routes[i]) : r)));
      else if (i >= routes.length) setRows((rs) => rs.filter((_, j) => j !== i));
      else setRows(routes.map(toDraft));
    });
  const leave = (i: number, field: keyof RouteDraft) => () => setTouched((t) => new Set(t).add(`${i}:${field}`));
  const add = (row: RouteDraft) => {
    setFocusRow(rows.length);
    setRows((rs) => [...rs, row]);
  };

  return (
    <section className="routes-editor" role="group" aria-label="Routes">
      <h3 className="inspector-subtitle">Routes</h3>
      {rows.length === 0 && <p className="muted small">Only the routes the kernel adds for each address.</p>}
      {rows.map((r, i) => (
        <div key={i} className="route-row" role="group" aria-label={`Route ${i + 1}`}>
          <input
            className="route-to"
            value={r.to}
            placeholder="default or 10.0.2.0/24"
            aria-label={`Route ${i + 1} destination`}
            aria-invalid={!!shown(i).to}
            autoFocus={focusRow === i && r.to === ''}
            onChange={(e) => set(i, { to: e.target.value })}
            onKeyDown={keys(i)}
            onBlur={leave(i, 'to')}
            spellCheck={false}
          />
          <button type="button" className="btn-icon" aria-label={`Remove route ${i + 1}`} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
            ×
          </button>
          <span className="route-word">via</span>
          <input
            value={r.via}
            placeholder="gateway"
            aria-label={`Route ${i + 1} gateway`}
            aria-invalid={!!shown(i).via}
            autoFocus={focusRow === i && r.to !== ''}
            onChange={(e) => set(i, { via: e.target.value })}
            onKeyDown={keys(i)}
            onBlur={leave(i, 'via')}
            spellCheck={false}
          />
          <span className="route-word">dev</span>
          <select value={r.dev} aria-label={`Route ${i + 1} interface`} aria-invalid={!!shown(i).dev} onChange={(e) => set(i, { dev: e.target.value })} onKeyDown={keys(i)}>
            <option value="">any</option>
            {[...new Set([...interfaces, ...(r.dev ? [r.dev] : [])])].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {hasProblems(shown(i)) && <p className="field-error">{Object.values(shown(i)).join('; ')}</p>}
        </div>
      ))}
      <div className="routes-actions">
        <button type="button" className="btn btn-small" onClick={() => add({ to: '', via: '', dev: '' })}>
          Add route
        </button>
        <button type="button" className="btn btn-small" disabled={hasDefault} onClick={() => add({ to: 'default', via: '', dev: '' })}>
          Add default route
        </button>
        <button type="button" className="btn btn-primary btn-small push-right" disabled={invalid || !dirty || busy} onClick={() => void apply()}>
          Apply routes
        </button>
      </div>
    </section>
  );
}
