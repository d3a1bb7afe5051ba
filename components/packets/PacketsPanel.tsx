'use client';
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PacketDetail } from '@/server/protocol';
import type { Topology } from '@/server/model/topology';
import type { LabClient } from '../lab/lab-client';
import { downloadBytes } from '../lib/download';
import { usePackets, type Speed } from './packet-store';
import { FILTER_PROTOCOLS, protocolColor } from './packet-colors';
import PacketList from './PacketList';
import PacketDetailView from './PacketDetailView';

interface Props {
  client: LabClient | null;
  topology: Topology | null;
  /** An edit link: may set the capture expression (it changes every watcher's capture). */
  canSteer: boolean;
  onError(message: string): void;
}

/** A capture as the class reads it: the cable between two nodes, or a node's interface. */
function captureName(c: { key: string; link?: string }): string {
  return c.link ? c.link.split(' <-> ').map((e) => e.split(':')[0]).join(' ⟷ ') : c.key;
}

const SPEEDS: [Speed, string][] = [
  [1, '1×'],
  [0.25, '¼×'],
  ['step', 'Step'],
];

/** The Packets tab: what is captured, the controls, the list and the packet opened. */
export default function PacketsPanel({ client, topology, canSteer, onError }: Props) {
  const s = usePackets(
    useShallow((x) => ({
      captures: x.captures,
      expression: x.expression,
      watched: x.watched,
      paused: x.paused,
      missed: x.missed,
      every: x.every,
      seen: x.seen,
      received: x.received,
      count: x.rows.length,
      filter: x.filter,
      speed: x.speed,
      queued: x.queued.length,
      dotsSkipped: x.dotsSkipped,
      selectedId: x.selectedId,
      clearedAt: x.clearedAt,
    })),
  );
  const actions = usePackets.getState();
  const [expr, setExpr] = useState(s.expression);
  const [detail, setDetail] = useState<PacketDetail | null>(null);
  useEffect(() => setExpr(s.expression), [s.expression]);

  useEffect(() => {
    if (s.selectedId === null || !client) return setDetail(null);
    let live = true;
    void client.packetDetail(s.selectedId).then((r) => {
      if (!live) return;
      if (r.ok) setDetail(r.detail);
      else onError(r.error);
    });
    return () => {
      live = false;
    };
  }, [s.selectedId, client, onError]);

  const running = s.captures.filter((c) => c.running);
  const failed = s.captures.filter((c) => c.error);
  const captureAll = async () => {
    if (!client || !topology) return;
    const nodes = Object.keys(topology.nodes);
    for (const node of nodes) {
      const r = await client.watch({ node });
      if (!r.ok && !/no interface/.test(r.error)) return onError(r.error);
    }
  };
  const applyExpression = async () => {
    if (!client || expr.trim() === s.expression) return;
    const r = await client.setCaptureFilter(expr);
    if (!r.ok) onError(r.error);
  };
  const download = async () => {
    if (!client) return;
    const r = await client.downloadCapture({ since: s.clearedAt || undefined });
    if (!r.ok) return onError(r.error);
    if (r.packets === 0) return onError('no packets to download yet: start a capture and make some traffic');
    downloadBytes(r.name, r.data, 'application/x-pcapng');
  };
  const nodes = topology ? Object.keys(topology.nodes).sort() : [];

  return (
    <div className="packets-panel" data-received={s.received}>
      <div className="packets-bar" role="toolbar" aria-label="Packet capture">
        <span className={`capture-status${running.length ? ' on' : ''}`} role="status">
          {running.length ? (
            <>
              <span className="rec-dot" aria-hidden="true" /> Capturing {running.map(captureName).join(', ')}
            </>
          ) : s.watched.length ? (
            'Starting the capture…'
          ) : (
            'Not capturing: select a cable or a node and press “Capture packets”, or'
          )}
        </span>
        {running.length === 0 && s.watched.length === 0 ? (
          <button type="button" className="btn btn-small btn-primary" onClick={() => void captureAll()} disabled={!client || !topology || topology.links.length === 0}>
            Capture every cable
          </button>
        ) : (
          <button type="button" className="btn btn-small" onClick={() => void client?.unwatchAll()}>
            Stop
          </button>
        )}
        <button type="button" className="btn btn-small" aria-pressed={s.paused} onClick={() => actions.setPaused(!s.paused)} title="Pause the list (the capture goes on)">
          {s.paused ? `Resume${s.missed ? ` (${s.missed} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="btn btn-small" onClick={() => actions.clear()} disabled={s.count === 0}>
          Clear
        </button>
        <button type="button" className="btn btn-small" onClick={() => void download()} title="Download what was captured since the last Clear as a .pcapng file, for Wireshark or tshark">
          Download
        </button>
        <span className="packets-bar-sep" />
        <label className="packets-field">
          Protocol
          <select value={s.filter.protocol} onChange={(e) => actions.setFilter({ protocol: e.target.value })}>
            <option value="">all</option>
            {FILTER_PROTOCOLS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="packets-field">
          Node
          <select value={s.filter.node} onChange={(e) => actions.setFilter({ node: e.target.value })}>
            <option value="">all</option>
            {nodes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="packets-field" title={canSteer ? "tcpdump's filter language, for every capture of the lab: icmp, arp, host 10.0.1.1, not ip6" : 'A view link cannot change the capture'}>
          Capture
          <input
            type="text"
            value={expr}
            placeholder="icmp or arp"
            spellCheck={false}
            disabled={!canSteer}
            onChange={(e) => setExpr(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void applyExpression();
              if (e.key === 'Escape') setExpr(s.expression);
            }}
            onBlur={() => void applyExpression()}
            aria-label="Capture expression"
          />
        </label>
        <span className="packets-bar-sep" />
        <span className="speed-group" role="group" aria-label="Speed of the dots on the cables">
          {SPEEDS.map(([v, label]) => (
            <button key={String(v)} type="button" className={`btn btn-small${s.speed === v ? ' active' : ''}`} aria-pressed={s.speed === v} onClick={() => actions.setSpeed(v)}>
              {label}
            </button>
          ))}
          {s.speed === 'step' && (
            <button type="button" className="btn btn-small btn-primary" onClick={() => actions.step()} disabled={s.queued === 0}>
              Next ▶ {s.queued > 0 ? `(${s.queued})` : ''}
            </button>
          )}
        </span>
      </div>
      {(s.every > 1 || s.dotsSkipped > 0 || failed.length > 0) && (
        <p className="packets-note" role="status">
          {s.every > 1 && `A flood: showing 1 in ${s.every} packets (${s.received} of ${s.seen} since the last clear). `}
          {s.dotsSkipped > 0 && `The cables show at most 40 dots a second; ${s.dotsSkipped} packets had none. `}
          {failed.map((c) => `${c.key}: ${c.error}. `)}
        </p>
      )}
      <div className={`packets-body${detail ? ' with-detail' : ''}`}>
        {s.count === 0 && !running.length ? (
          <div className="packets-empty">
            <p>
              Every packet here is real: tcpdump captures it in the lab&apos;s kernel. Start a capture, then type <code>ping -c 3 ADDRESS</code> in a terminal and watch the ARP request go out before the
              first echo reply comes back.
            </p>
            <p className="packets-legend">
              {FILTER_PROTOCOLS.map((p) => (
                <span key={p} className="packet-proto" style={{ '--proto': protocolColor(p) } as React.CSSProperties}>
                  {p}
                </span>
              ))}
            </p>
          </div>
        ) : (
          <PacketList />
        )}
        {detail && <PacketDetailView detail={detail} onClose={() => actions.select(null)} />}
      </div>
    </div>
  );
}
