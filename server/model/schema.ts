/**
 * The topology file's shape (docs/topology-format.md) as zod schemas, and the
 * step from a parsed file object to a checked, normalized Topology. The rules
 * that need the whole topology live in validate.ts. Pure, no I/O.
 */
import { z } from 'zod';
import { endpointKey, parseEndpoint, type LinkSpec, type NetemSpec, type Topology } from './topology';
import { KIND_NAMES } from './kinds/kinds';
import { isEmptyNetem, NETEM_FIELDS, parseNetem } from './netem';
import { pathText, showValue, type PathPart, type Result, type TopologyError } from './topology-errors';
import { validateTopology } from './validate';

export { formatError, formatErrors, type Result, type TopologyError } from './topology-errors';
export {
  validateTopology,
  MAX_NODES,
  MAX_LINKS,
  MAX_ADDRESSES_PER_INTERFACE,
  MAX_ROUTES_PER_NODE,
  MAX_LAB_NAME_CHARS,
} from './validate';

// An empty YAML value (`routes:`, `veth0:`) reads as null; it means "the default".
const interfaceFile = z.strictObject({
  addresses: z.array(z.string()).nullish(),
  up: z.boolean().nullish(),
  mtu: z.number().nullish(),
});
const positionFile = z.strictObject({ x: z.number(), y: z.number() });
const routeFile = z.strictObject({ to: z.string(), via: z.string().optional(), dev: z.string().optional() });
const nodeFile = z.strictObject({
  kind: z.enum(KIND_NAMES as [string, ...string[]]).nullish(),
  position: positionFile.nullish(),
  interfaces: z.record(z.string(), interfaceFile.nullish()).nullish(),
  routes: z.array(routeFile).nullish(),
  forwarding: z.boolean().nullish(),
  stp: z.boolean().nullish(),
  vlan_filtering: z.boolean().nullish(),
});
// netem is either one map for both directions or a map per end; linkNetem() tells them apart.
const linkFile = z.strictObject({ endpoints: z.tuple([z.string(), z.string()]), netem: z.record(z.string(), z.unknown()).nullish() });
export const topologyFileSchema = z.strictObject({
  name: z.string(),
  nodes: z.record(z.string(), nodeFile.nullish()).nullish(),
  links: z.array(linkFile).nullish(),
  'allow-wide-host-routes': z.boolean().nullish(),
});
export type TopologyFile = z.infer<typeof topologyFileSchema>;

/** Checks a parsed file (what YAML or JSON gives) and returns the normalized topology. */
export function parseTopologyObject(raw: unknown): Result {
  const proto = protoKeys(raw, []);
  if (proto.length > 0) return { ok: false, errors: proto };
  const parsed = topologyFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap((issue) => issueErrors(issue, raw)) };
  const file = parsed.data;

  const errors: TopologyError[] = [];
  const links: LinkSpec[] = [];
  (file.links ?? []).forEach((link, i) => {
    const [a, b] = link.endpoints.map((text, j) => {
      const end = parseEndpoint(text);
      if (!end) {
        errors.push({
          path: pathText(['links', i, 'endpoints', j]),
          value: text,
          message: `endpoint ${showValue(text)} must be written node:interface, e.g. vnet0:veth0`,
        });
      }
      return end;
    });
    if (a && b) {
      const link: LinkSpec = { endpoints: [a, b] };
      const netem = linkNetem(link, i, file.links![i].netem ?? undefined, errors);
      if (netem) link.netem = netem;
      links.push(link);
    }
  });
  // A link dropped here would make its interfaces look unlinked: stop before the cross-checks.
  if (errors.length > 0) return { ok: false, errors };

  const topology: Topology = {
    name: file.name,
    nodes: Object.fromEntries(
      Object.entries(file.nodes ?? {}).map(([name, node]) => [
        name,
        {
          kind: (node?.kind ?? 'netns') as Topology['nodes'][string]['kind'],
          ...(node?.position ? { position: node.position } : {}),
          interfaces: Object.fromEntries(
            Object.entries(node?.interfaces ?? {}).map(([iface, spec]) => [iface, { addresses: spec?.addresses ?? [], up: spec?.up ?? true, ...(spec?.mtu != null ? { mtu: spec.mtu } : {}) }]),
          ),
          routes: node?.routes ?? [],
          ...(typeof node?.forwarding === 'boolean' ? { forwarding: node.forwarding } : {}),
          ...(node?.kind === 'bridge' || node?.stp != null || node?.vlan_filtering != null ? { bridge: { stp: node?.stp ?? false, vlanFiltering: node?.vlan_filtering ?? false } } : {}),
        },
      ]),
    ),
    links,
    ...(file['allow-wide-host-routes'] ? { allowWideHostRoutes: true } : {}),
  };
  return validateTopology(topology);
}

/**
 * A link's `netem`: `{delay: 50ms, loss: 1%}` for both directions, or
 * `{"a:veth0": {...}, "b:veth1": {...}}`, one map per end for what that end sends.
 */
function linkNetem(link: LinkSpec, i: number, raw: Record<string, unknown> | undefined, errors: TopologyError[]): LinkSpec['netem'] {
  if (raw === undefined) return undefined;
  const base: PathPart[] = ['links', i, 'netem'];
  const ends = link.endpoints.map(endpointKey);
  const perEnd = Object.keys(raw).some((k) => k.includes(':'));
  const one = (value: unknown, path: PathPart[]): NetemSpec | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push({ path: pathText(path), value, message: `netem ${showValue(value)} must be a map such as {delay: 50ms, loss: 1%}` });
      return null;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(NETEM_FIELDS as readonly string[]).includes(key)) {
        const hint = perEnd ? '' : `, or one map per end keyed ${ends.map((e) => showValue(e)).join(' and ')}`;
        errors.push({ path: pathText([...path, key]), value: key, message: `unknown key ${showValue(key)}; allowed here: ${NETEM_FIELDS.join(', ')}${hint}` });
      }
    }
    const { spec, errors: bad } = parseNetem(record);
    for (const e of bad) errors.push({ path: pathText([...path, e.field]), value: record[e.field], message: e.message });
    return isEmptyNetem(spec) ? null : spec;
  };
  if (!perEnd) {
    const spec = one(raw, base);
    return spec ? [spec, { ...spec }] : undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!ends.includes(key)) errors.push({ path: pathText([...base, key]), value: key, message: `${showValue(key)} is not an end of this link; its ends are ${ends.map((e) => showValue(e)).join(' and ')}` });
  }
  const out = ends.map((e) => one(raw[e], [...base, e])) as [NetemSpec | null, NetemSpec | null];
  return out[0] || out[1] ? out : undefined;
}

/** Deeper than the file format goes. */
const MAX_FILE_DEPTH = 8;

/**
 * zod drops `__proto__` keys from records without a word (assigning one would
 * replace the prototype), so a node or interface of that name would vanish.
 */
function protoKeys(value: unknown, path: PathPart[]): TopologyError[] {
  if (value === null || typeof value !== 'object' || path.length > MAX_FILE_DEPTH) return [];
  const here: TopologyError[] = Object.hasOwn(value, '__proto__')
    ? [{ path: pathText(path), value: '__proto__', message: 'key "__proto__" is not allowed; it would replace the map\'s prototype' }]
    : [];
  return [...here, ...Object.entries(value).flatMap(([key, inner]) => protoKeys(inner, [...path, Array.isArray(value) ? Number(key) : key]))];
}

type Issue = z.core.$ZodIssue;

/** The keys each kind of object in the file allows, found from the path of an unknown key. */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  const [top, , sub] = path;
  let shape: Record<string, unknown> = topologyFileSchema.shape;
  if (top === 'links' && path.length === 2) shape = linkFile.shape;
  else if (top === 'nodes' && path.length === 2) shape = nodeFile.shape;
  else if (sub === 'position' && path.length === 3) shape = positionFile.shape;
  else if (sub === 'interfaces' && path.length === 4) shape = interfaceFile.shape;
  else if (sub === 'routes' && path.length === 4) shape = routeFile.shape;
  return Object.keys(shape);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a map (key: value)',
  record: 'a map (key: value)',
  array: 'a list',
  tuple: 'a list',
  string: 'a string',
  number: 'a finite number',
  boolean: 'true or false',
};

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Rewrites a zod issue so that it quotes the offending value. */
function issueErrors(issue: Issue, raw: unknown): TopologyError[] {
  const parts = issue.path.filter((p): p is PathPart => typeof p !== 'symbol');
  const path = pathText(parts);
  const value = valueAt(raw, issue.path);
  const shown = showValue(value);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: pathText([...parts, key]),
        value: key,
        message: `unknown key ${showValue(key)}; allowed here: ${allowedKeys(issue.path).join(', ')}`,
      }));
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (parts.length === 0 && value == null) return [{ path, value, message: 'the file is empty; a topology file is a map with name, nodes and links' }];
      if (value === undefined) return [{ path, message: `${String(parts.at(-1) ?? 'the file')} is required (${expected})` }];
      const what = parts.length === 0 ? 'the file' : 'value';
      return [{ path, value, message: `${what} ${shown} must be ${expected}` }];
    }
    case 'invalid_value':
      return [{ path, value, message: `value ${shown} must be one of ${issue.values.map((v) => showValue(v)).join(', ')}` }];
    case 'too_big':
    case 'too_small': {
      const count = Array.isArray(value) ? value.length : '?';
      if (parts.at(-1) === 'endpoints') return [{ path, value, message: `${shown} lists ${count} endpoints; a link has exactly 2` }];
      const limit = issue.code === 'too_big' ? `at most ${String(issue.maximum)}` : `at least ${String(issue.minimum)}`;
      return [{ path, value, message: `${shown} has ${count} items; ${limit} are allowed here` }];
    }
    default:
      return [{ path, value, message: `${shown}: ${issue.message}` }];
  }
}
