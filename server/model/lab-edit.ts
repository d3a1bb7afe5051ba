/**
 * An edit a person makes on the canvas, as data: the one shape every click and
 * drag becomes before the engine turns it into a desired topology. The
 * validators check every field (names, sizes) at the boundary; the socket
 * protocol carries these as they are.
 */
import { z } from 'zod';
import { interfaceNameProblem, netnsNameProblem } from './names';
import { MAX_TOPOLOGY_BYTES } from './topology-text';

const netnsName = z.string().superRefine((v, ctx) => {
  const p = netnsNameProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `namespace name "${v}" ${p}` });
});
export const nodeName = netnsName;
export const ifaceName = z.string().superRefine((v, ctx) => {
  const p = interfaceNameProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `interface name "${v}" ${p}` });
});
const position = z.object({ x: z.number().finite(), y: z.number().finite() });
const endpoint = z.object({ node: nodeName, iface: ifaceName });
const route = z.object({
  to: z.string().max(64),
  via: z.string().max(64).optional(),
  dev: ifaceName.optional(),
});


/** netem as the page sends it: times in milliseconds, shares in percent, rate in bits per second. */
const netem = z
  .object({
    delay: z.number().finite().optional(),
    jitter: z.number().finite().optional(),
    loss: z.number().finite().optional(),
    rate: z.number().finite().optional(),
    duplicate: z.number().finite().optional(),
    corrupt: z.number().finite().optional(),
    reorder: z.number().finite().optional(),
  })
  .strict();

export const labEditSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-node'), kind: z.enum(['netns', 'router', 'host', 'bridge']), name: nodeName.optional(), position: position.optional() }),
  z.object({ op: z.literal('rename-node'), from: nodeName, to: nodeName }),
  z.object({ op: z.literal('delete-node'), name: nodeName }),
  z.object({ op: z.literal('move-nodes'), positions: z.record(nodeName, position) }),
  z.object({ op: z.literal('add-link'), a: nodeName, b: nodeName }),
  z.object({ op: z.literal('delete-link'), a: endpoint, b: endpoint }),
  z.object({
    op: z.literal('set-interface'),
    node: nodeName,
    iface: ifaceName,
    rename: ifaceName.optional(),
    addresses: z.array(z.string().max(64)).max(64),
    up: z.boolean(),
    /** MTU in bytes; absent keeps the interface's. */
    mtu: z.number().int().min(68).max(65535).optional(),
  }),
  z.object({ op: z.literal('set-routes'), node: nodeName, routes: z.array(route).max(256) }),
  z.object({ op: z.literal('set-forwarding'), node: nodeName, on: z.boolean() }),
  z.object({ op: z.literal('set-bridge'), node: nodeName, stp: z.boolean(), vlanFiltering: z.boolean() }),
  /** netem of a cable: `netem[0]` is what `a` sends, `netem[1]` what `b` sends; null for none. */
  z.object({ op: z.literal('set-netem'), a: endpoint, b: endpoint, netem: z.tuple([netem.nullable(), netem.nullable()]) }),
  /** Give a cable's ends addresses: a free subnet, or the LAN of the switch it reaches. */
  z.object({ op: z.literal('address-link'), a: endpoint, b: endpoint }),
  z.object({ op: z.literal('load'), yaml: z.string().max(MAX_TOPOLOGY_BYTES) }),
  z.object({ op: z.literal('destroy') }),
]);
export type LabEdit = z.infer<typeof labEditSchema>;

