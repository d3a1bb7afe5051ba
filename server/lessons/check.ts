/**
 * The checks a lesson step makes, as its file writes them: a YAML list, each
 * item one kind of check named by its key. State checks read the lab as
 * observed; active checks (ping, path, packet) run commands in the lab.
 */
import { z } from 'zod';
import { parseAddress, parsePrefix, formatPrefix, normalizeRouteTarget } from '../model/prefix';
import { interfaceNameProblem, netnsNameProblem } from '../model/names';

const nodeName = z.string().superRefine((v, ctx) => {
  const p = netnsNameProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: `the node name ${p}` });
});

/** `node:iface`, as the lab's links write their ends. */
const endpoint = z.string().superRefine((v, ctx) => {
  const i = v.indexOf(':');
  if (i <= 0) return ctx.addIssue({ code: 'custom', message: `"${v}" is not node:interface (e.g. vnet0:veth0)` });
  const node = netnsNameProblem(v.slice(0, i));
  const iface = interfaceNameProblem(v.slice(i + 1));
  if (node) ctx.addIssue({ code: 'custom', message: `in "${v}", the node name ${node}` });
  if (iface) ctx.addIssue({ code: 'custom', message: `in "${v}", the interface name ${iface}` });
});

const address = z.string().refine((v) => parseAddress(v) !== null, { message: 'not an IPv4 or IPv6 address' });

const routeTarget = z.string().transform((v, ctx) => {
  const t = normalizeRouteTarget(v);
  if ('error' in t) {
    ctx.addIssue({ code: 'custom', message: t.error });
    return z.NEVER;
  }
  return t.value;
});

export const CHECK_SCHEMAS = {
  /** A namespace exists (or, with `absent: true`, does not). */
  namespace: z.object({ namespace: nodeName, absent: z.boolean().optional() }).strict(),
  /** An interface is in a node: of a kind, its veth peer in a node (or exactly an end), up, with addresses. */
  interface: z
    .object({
      interface: endpoint,
      kind: z.enum(['veth', 'bridge', 'loopback']).optional(),
      peer: z.union([endpoint, nodeName]).optional(),
      up: z.boolean().optional(),
      address: z
        .union([z.string(), z.array(z.string()).min(1).max(16)])
        .transform((v, ctx) => {
          const out: string[] = [];
          for (const a of [v].flat()) {
            const p = parsePrefix(a);
            if (!p) {
              ctx.addIssue({ code: 'custom', message: `"${a}" is not an address with a prefix length (e.g. 10.0.1.0/24)` });
              return z.NEVER;
            }
            out.push(formatPrefix(p));
          }
          return out;
        })
        .optional(),
    })
    .strict(),
  /** A veth pair with these two ends exists, wherever its ends are (`[veth0, veth1]`). */
  pair: z.object({ pair: z.tuple([z.string().min(1).max(15), z.string().min(1).max(15)]) }).strict(),
  /** A switch (a Linux bridge) of this name exists. */
  switch: z.object({ switch: nodeName }).strict(),
  /** An interface is a port of a switch (`br0:veth1`). */
  port: z.object({ port: endpoint }).strict(),
  /** A route in a node's table. */
  route: z.object({ route: z.object({ node: nodeName, to: routeTarget, via: address.optional(), dev: z.string().optional() }).strict() }).strict(),
  /** A node forwards packets (a router), or with `on: false` does not. */
  forwarding: z.object({ forwarding: nodeName, on: z.boolean().optional() }).strict(),
  /** A cable is impaired with netem: at least this delay (ms) or loss (%), either way. */
  impaired: z.object({ impaired: z.tuple([endpoint, endpoint]), delay: z.number().nonnegative().optional(), loss: z.number().min(0).max(100).optional() }).strict(),
  /** A ping from a node to an address gets answers (at most `loss` percent lost), or with `fails: true` gets none. */
  ping: z
    .object({
      ping: z
        .object({
          from: nodeName,
          to: address,
          count: z.number().int().min(1).max(20).optional(),
          loss: z.number().min(0).max(100).optional(),
          /** The average round trip is at least this many ms (a delay on the way). */
          rtt: z.number().positive().optional(),
          fails: z.boolean().optional(),
        })
        .strict(),
    })
    .strict(),
  /** The way from a node to an address crosses a node (one of its addresses is a hop of tracepath). */
  path: z.object({ path: z.object({ from: nodeName, to: address, via: nodeName }).strict() }).strict(),
  /** A packet was seen on an interface since the step began: its protocol and words of its summary (`ARP`, `Request who-has`). */
  packet: z.object({ packet: z.object({ on: endpoint, protocol: z.string().max(16).optional(), text: z.string().max(200).optional() }).strict() }).strict(),
} as const;

export type CheckKind = keyof typeof CHECK_SCHEMAS;
export const CHECK_KINDS = Object.keys(CHECK_SCHEMAS) as CheckKind[];
export const ACTIVE_KINDS: ReadonlySet<CheckKind> = new Set(['ping', 'path', 'packet']);

/** A parsed check; `type` names its kind (an interface check's own `kind` is the interface's). */
export type Check = { [K in CheckKind]: { type: K } & z.infer<(typeof CHECK_SCHEMAS)[K]> }[CheckKind];

export type CheckIssue = { path: (string | number)[]; message: string };

/** A check from its YAML: exactly one known key names its kind. */
export function parseCheck(raw: unknown): { ok: true; check: Check } | { ok: false; issue: CheckIssue } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, issue: { path: [], message: `a check is a map such as {namespace: vnet0}; got ${JSON.stringify(raw)}` } };
  const kinds = Object.keys(raw).filter((k): k is CheckKind => Object.hasOwn(CHECK_SCHEMAS, k));
  if (kinds.length !== 1) {
    const unknown = Object.keys(raw).filter((k) => !Object.hasOwn(CHECK_SCHEMAS, k));
    const what = kinds.length > 1 ? `names ${kinds.length} kinds of check (${kinds.join(', ')}); one a check` : `is an unknown check${unknown.length ? ` "${unknown[0]}"` : ''}`;
    return { ok: false, issue: { path: kinds.length > 1 ? [] : unknown.slice(0, 1), message: `${what}; the kinds are ${CHECK_KINDS.join(', ')}` } };
  }
  const kind = kinds[0];
  const parsed = CHECK_SCHEMAS[kind].safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const message = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} for a ${kind} check` : i.message;
    return { ok: false, issue: { path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message } };
  }
  return { ok: true, check: { type: kind, ...parsed.data } as Check };
}

/** The nodes a check names, so a lesson can be told it names one it never makes. */
export function nodesOf(c: Check): string[] {
  const node = (e: string) => e.slice(0, e.indexOf(':'));
  switch (c.type) {
    case 'namespace':
      return c.absent ? [] : [c.namespace];
    case 'interface':
      return [node(c.interface), ...(c.peer ? [c.peer.includes(':') ? node(c.peer) : c.peer] : [])];
    case 'pair':
      return [];
    case 'switch':
      return [c.switch];
    case 'port':
      return [node(c.port)];
    case 'route':
      return [c.route.node];
    case 'forwarding':
      return [c.forwarding];
    case 'impaired':
      return c.impaired.map(node);
    case 'ping':
      return [c.ping.from];
    case 'path':
      return [c.path.from, c.path.via];
    case 'packet':
      return [node(c.packet.on)];
  }
}
