'use client';
import { useState } from 'react';
import type { PacketDetail } from '@/server/protocol';
import { LAYER_TITLES } from './packet-colors';

const BYTES_PER_LINE = 16;

/** One packet opened: its headers layer by layer, and its bytes in hex with the hovered layer's bytes marked. */
export default function PacketDetailView({ detail, onClose }: { detail: PacketDetail; onClose(): void }) {
  const [hover, setHover] = useState<number | null>(null);
  const bytes = detail.hex.match(/../g) ?? [];
  const layerOf = (i: number) => detail.layers.findIndex((l) => i >= l.start && i < l.end);
  const lines = [];
  for (let at = 0; at < bytes.length; at += BYTES_PER_LINE) {
    const chunk = bytes.slice(at, at + BYTES_PER_LINE);
    lines.push(
      <div key={at} className="hex-line">
        <span className="hex-offset">{at.toString(16).padStart(4, '0')}</span>
        <span className="hex-bytes">
          {chunk.map((b, i) => {
            const l = layerOf(at + i);
            return (
              <span key={i} className={`hex-byte ${l >= 0 ? detail.layers[l].kind : ''}${hover !== null && l === hover ? ' lit' : ''}`}>
                {b}
              </span>
            );
          })}
        </span>
        <span className="hex-ascii">
          {chunk
            .map((b) => {
              const c = parseInt(b, 16);
              return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
            })
            .join('')}
        </span>
      </div>,
    );
  }
  const s = detail.summary;
  return (
    <aside className="packet-detail" aria-label={`Packet ${s.id}`}>
      <header className="packet-detail-head">
        <strong>{s.summary}</strong>
        <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close the packet">
          ×
        </button>
      </header>
      <p className="muted small">
        {s.length} bytes on the wire, {bytes.length} captured · {s.from && s.to ? `${s.from} → ${s.to}` : `${s.node}:${s.iface} ${s.direction}`}
      </p>
      <div className="packet-layers-detail">
        {detail.layers.map((l, i) => (
          <details key={i} open className={`layer-detail ${l.kind}`} onMouseEnter={() => setHover(i)} onMouseLeave={() => setHover(null)}>
            <summary>
              <span className={`layer-chip ${l.kind}`} /> {l.name} <span className="muted small">({LAYER_TITLES[l.kind]}, bytes {l.start}–{l.end - 1})</span>
            </summary>
            <dl className="layer-fields">
              {l.fields.map((f, j) => (
                <div key={j}>
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
            </dl>
          </details>
        ))}
      </div>
      <div className="hex-dump" aria-label="The packet's bytes in hex">
        {lines}
      </div>
    </aside>
  );
}
