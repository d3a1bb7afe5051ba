import type { Edge } from '@xyflow/react';
import type { Endpoint } from '@/server/model/topology';

export type VethEdgeData = {
  a: Endpoint;
  b: Endpoint;
  /** Both ends up with carrier. */
  up: boolean;
  /** Packets are passing right now (from `traffic-update`). */
  flowing: boolean;
  /** e.g. `2.0 pkt/s · 196 B/s`, when there is traffic. */
  rateText?: string;
  /** The cable's netem, e.g. `50 ms, 1% loss`. */
  netemText?: string;
  /** Both ends on one node: drawn as a loop beside it. */
  loop: boolean;
};

export type VethEdgeType = Edge<VethEdgeData, 'veth'>;
