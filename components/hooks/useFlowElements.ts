'use client';
/** The canvas as React Flow nodes and edges, computed from the last `lab-state`. */
import { useMemo, useRef } from 'react';
import type { TrafficRate } from '@/server/protocol';
import { linkKey, type Endpoint, type LinkSpec, type Position, type Topology } from '@/server/model/topology';
import { interfaceHandleId, linkState, NODE_WIDTH_PX, type LabNode, type LabNodeData } from '../nodes/node-data';
import type { VethEdgeType } from '../edges/edge-data';
import { KIND_VIEWS } from '../nodes/node-types';
import { netemLabel } from '@/server/model/netem';
import { formatBytesPerSecond, formatPacketsPerSecond } from '../lib/format';

export type Selection = { kind: 'node'; id: string } | { kind: 'edge'; id: string } | null;

/**
 * Which side of each interface row a cable leaves from: the sides that face
 * each other when the nodes stand side by side; when one stands below the
 * other, both on the right, so the cable curves round instead of crossing
 * the nodes. `a` is the node on the left.
 */
export function cableSides(pa: Position, wa: number, pb: Position, wb: number): ['l' | 'r', 'l' | 'r'] {
  if (pb.x >= pa.x + wa) return ['r', 'l'];
  if (pb.x + wb <= pa.x) return ['l', 'r'];
  return ['r', 'r'];
}

/** Below this many packets per second through a cable it is drawn still (ARP and the like trickle). */
export const FLOWING_MIN_PPS = 0.5;

export function useFlowElements(
  topology: Topology | null,
  positions: Record<string, Position>,
  selection: Selection,
  traffic: Record<string, TrafficRate>,
  measured: Record<string, { width: number; height: number }> = {},
): { nodes: LabNode[]; edges: VethEdgeType[] } {
  // Node data keeps its identity while unchanged, so memo'd nodes do not re-render on every drag frame.
  const dataCache = useRef(new Map<string, { key: string; data: LabNodeData }>());

  const nodes = useMemo(() => {
    if (!topology) return [];
    return Object.entries(topology.nodes).map(([name, spec]): LabNode => {
      const dangling = (topology.dangling ?? []).filter((d) => d.endpoint.node === name);
      const key = JSON.stringify([spec.kind, spec.interfaces, spec.routes, spec.kernelRoutes, spec.bridge, dangling]);
      let cached = dataCache.current.get(name);
      if (!cached || cached.key !== key) {
        cached = { key, data: { name, spec, dangling } };
        dataCache.current.set(name, cached);
      }
      const common = {
        id: name,
        position: positions[name] ?? { x: 0, y: 0 },
        data: cached.data,
        selected: selection?.kind === 'node' && selection.id === name,
      };
      return { ...common, type: KIND_VIEWS[spec.kind].type } as LabNode;
    });
  }, [topology, positions, selection]);

  const edges = useMemo(() => {
    if (!topology) return [];
    return topology.links.flatMap((link): VethEdgeType[] => {
      let [a, b] = link.endpoints;
      const pa = positions[a.node];
      const pb = positions[b.node];
      if (!pa || !pb) return [];
      // The left node's end first, so the label reads like the picture.
      if (pb.x < pa.x) [a, b] = [b, a];
      const ia = topology.nodes[a.node]?.interfaces[a.iface];
      const ib = topology.nodes[b.node]?.interfaces[b.iface];
      const up = !!ia && !!ib && linkState(ia) === 'up' && linkState(ib) === 'up';
      const id = linkKey(link);
      const rate = cableRate(traffic, a, b);
      const [sideA, sideB] = a.node === b.node ? (['r', 'r'] as const) : cableSides(positions[a.node], measured[a.node]?.width ?? NODE_WIDTH_PX, positions[b.node], measured[b.node]?.width ?? NODE_WIDTH_PX);
      return [
        {
          id,
          type: 'veth',
          source: a.node,
          target: b.node,
          sourceHandle: interfaceHandleId(a.iface, sideA),
          targetHandle: interfaceHandleId(b.iface, sideB),
          selected: selection?.kind === 'edge' && selection.id === id,
          data: {
            a,
            b,
            up,
            flowing: rate !== null && rate.pps >= FLOWING_MIN_PPS,
            rateText: rate && rate.pps >= FLOWING_MIN_PPS ? `${formatPacketsPerSecond(rate.pps)} · ${formatBytesPerSecond(rate.bps)}` : undefined,
            netemText: netemText(link, a),
            loop: a.node === b.node,
          },
        },
      ];
    });
  }, [topology, positions, selection, traffic, measured]);

  return { nodes, edges };
}

/**
 * The cable's impairments for its label: "50 ms, 1% loss" when both ways are
 * alike; otherwise each direction, drawn from the end shown on the left.
 */
function netemText(link: LinkSpec, left: Endpoint): string | undefined {
  if (!link.netem) return undefined;
  const [x, y] = link.netem;
  const leftIsFirst = link.endpoints[0].node === left.node && link.endpoints[0].iface === left.iface;
  const [fromLeft, fromRight] = leftIsFirst ? [x, y] : [y, x];
  const same = JSON.stringify(fromLeft) === JSON.stringify(fromRight);
  if (same && fromLeft) return netemLabel(fromLeft);
  return [fromLeft && `→ ${netemLabel(fromLeft)}`, fromRight && `← ${netemLabel(fromRight)}`].filter(Boolean).join('  ');
}

/** What goes through the cable, both directions: what each end sends. */
function cableRate(traffic: Record<string, TrafficRate>, a: Endpoint, b: Endpoint): { pps: number; bps: number } | null {
  const ra = traffic[`${a.node}:${a.iface}`];
  const rb = traffic[`${b.node}:${b.iface}`];
  if (!ra && !rb) return null;
  return { pps: (ra?.txPps ?? 0) + (rb?.txPps ?? 0), bps: (ra?.txBps ?? 0) + (rb?.txBps ?? 0) };
}
