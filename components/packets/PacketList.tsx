'use client';
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PacketSummary } from '@/server/protocol';
import { shown, usePackets } from './packet-store';
import { protocolColor, LAYER_TITLES } from './packet-colors';

/** Every row is this tall, so only the rows on screen are drawn, however many there are. */
export const ROW_PX = 26;
/** Rows drawn above and below the visible ones, so a fast scroll shows no gap. */
const OVERSCAN_ROWS = 8;
/** Within this of the bottom counts as following the newest. */
const AT_BOTTOM_PX = 8;

function where(p: PacketSummary): string {
  if (p.from && p.to) return `${p.from.replace(':', ' ')} → ${p.to.replace(':', ' ')}`;
  return `${p.node} ${p.iface} ${p.direction}`;
}

const Row = memo(function Row({ p, top, t0, selected, followed, onSelect }: { p: PacketSummary; top: number; t0: number; selected: boolean; followed: boolean; onSelect(p: PacketSummary): void }) {
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`packet-row${selected ? ' selected' : ''}${followed ? ' followed' : ''}`}
      style={{ top }}
      onClick={() => onSelect(p)}
      data-id={p.id}
      data-time={p.time}
    >
      <span className="packet-time" role="cell">
        {((p.time - t0) / 1000).toFixed(3)}
      </span>
      <span className="packet-where" role="cell" title={where(p)}>
        {where(p)}
      </span>
      <span className="packet-proto" role="cell" style={{ '--proto': protocolColor(p.protocol) } as React.CSSProperties}>
        {p.protocol}
      </span>
      <span className="packet-layers" role="cell" aria-label={p.layers.map(([k, n]) => `${n} (${LAYER_TITLES[k]})`).join(', ')}>
        {p.layers.map(([kind, name], i) => (
          <span key={i} className={`layer-chip ${kind}`} title={`${name}: ${LAYER_TITLES[kind]}`} />
        ))}
      </span>
      <span className="packet-summary" role="cell">
        {p.summary}
      </span>
    </div>
  );
});

/** The captured packets, newest last; follows the newest unless the user has scrolled up. */
export default function PacketList() {
  const { rows, filter, selectedId, followKey, select } = usePackets(useShallow((s) => ({ rows: s.rows, filter: s.filter, selectedId: s.selectedId, followKey: s.followKey, select: s.select })));
  const visible = useMemo(() => (filter.protocol || filter.node ? rows.filter((p) => shown(p, filter)) : rows), [rows, filter]);
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(300);
  const following = useRef(true);
  const [behind, setBehind] = useState(false);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // New rows: stay at the bottom when following; otherwise say there are newer ones.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (following.current) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    } else setBehind(true);
  }, [visible.length, height]);

  const onScroll = () => {
    const el = box.current!;
    setScrollTop(el.scrollTop);
    following.current = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_PX;
    if (following.current) setBehind(false);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN_ROWS);
  const last = Math.min(visible.length, Math.ceil((scrollTop + height) / ROW_PX) + OVERSCAN_ROWS);
  const t0 = rows[0]?.time ?? 0;
  return (
    <div className="packet-list-wrap">
      <div className="packet-head" role="row">
        <span role="columnheader">Time (s)</span>
        <span role="columnheader">Where</span>
        <span role="columnheader">Protocol</span>
        <span role="columnheader">Layers</span>
        <span role="columnheader">Summary (tcpdump&apos;s words)</span>
      </div>
      <div className="packet-list" role="table" aria-label="Captured packets" aria-rowcount={visible.length} ref={box} onScroll={onScroll}>
        <div style={{ height: visible.length * ROW_PX, position: 'relative' }}>
          {visible.slice(first, last).map((p, i) => (
            <Row key={p.id} p={p} top={(first + i) * ROW_PX} t0={t0} selected={p.id === selectedId} followed={followKey !== null && p.key === followKey} onSelect={select} />
          ))}
        </div>
      </div>
      {behind && (
        <button
          type="button"
          className="btn btn-small new-entries"
          onClick={() => {
            following.current = true;
            setBehind(false);
            box.current!.scrollTop = box.current!.scrollHeight;
          }}
        >
          ↓ Newest packets
        </button>
      )}
    </div>
  );
}
