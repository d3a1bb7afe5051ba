/**
 * Topology files: YAML text to a checked Topology and back
 * (docs/topology-format.md). Pure, no I/O: callers read and write the files.
 */
import {
  Document,
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Node as YamlNode,
  type YAMLError,
} from 'yaml';
import { endpointKey, type InterfaceSpec, type LinkSpec, type NodeSpec, type Topology } from './topology';
import { kindModule } from './kinds/kinds';
import { netemForFile, sameNetem } from './netem';
import { parseTopologyObject } from './schema';
import { parsePlainTopology } from './topology-text';
import { failure, pathText, showValue, type PathPart, type Result, type TopologyError } from './topology-errors';

/**
 * yaml's limit on alias expansion (uses of an anchor, weighted by the aliases
 * inside it). A handful of `*anchor` uses pass; a "billion laughs" bomb fails
 * long before it can exhaust memory.
 */
export const MAX_YAML_ALIAS_COUNT = 16;

/** A broken file can yield an error per character; the first few say what is wrong. */
const MAX_REPORTED_YAML_ERRORS = 20;

/** Deeper than any topology file goes; keeps error paths short and the search off the stack's limit. */
const MAX_LOCATE_DEPTH = 8;

/** Parses and checks a topology file; `source` (a file name) prefixes the locations of YAML syntax errors. */
export function parseTopologyYaml(text: string, source = 'topology file'): Result {
  return parsePlainTopology(text, source) ?? parseWithYaml(text, source);
}

/** What the quick reading leaves: a text of an accepted size that yaml reads, with aliases bounded and errors located. */
export function parseWithYaml(text: string, source: string): Result {
  const lineCounter = new LineCounter();
  let raw: unknown;
  try {
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      const errors = problems.slice(0, MAX_REPORTED_YAML_ERRORS).map((e) => yamlError(e, doc.contents, text, lineCounter, source));
      const more = problems.length - errors.length;
      if (more > 0) errors.push({ path: '', value: more, message: `${source}: ${more} more YAML errors not shown` });
      return { ok: false, errors };
    }
    try {
      raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
    } catch (e) {
      if (!(e instanceof ReferenceError && e.message.includes('Excessive alias count'))) throw e;
      const aliases = aliasesIn(doc.contents);
      const message = `the aliases ${[...new Set(aliases.map((a) => a.alias))].join(', ')} expand to too much data; at most ${MAX_YAML_ALIAS_COUNT} alias uses are allowed`;
      return failure(aliases[0]?.path ?? [], aliases[0]?.alias, message);
    }
  } catch (e) {
    // Input must never crash the caller, e.g. nesting deep enough to overflow the stack.
    return failure([], undefined, `${source} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseTopologyObject(raw);
}

function yamlError(e: YAMLError, root: YamlNode | null, text: string, lines: LineCounter, source: string): TopologyError {
  const { line, col } = lines.linePos(e.pos[0]);
  const at = `${source}:${line}:${col}`;
  const found = root ? locate(root, e.pos[0], []) : null;
  const path = pathText(found?.path ?? []);
  if (e.code === 'DUPLICATE_KEY' && found?.key !== undefined) {
    return { path, value: found.key, message: `${at}: duplicate key ${showValue(found.key)}; a key may appear only once in a map` };
  }
  if (e.code === 'MULTIPLE_DOCS') return { path, value: '---', message: `${at}: a topology file holds one YAML document; remove this "---" and what follows` };
  const lineText = text.split(/\r?\n/, line)[line - 1]?.trim() ?? '';
  return { path, value: lineText, message: `${at}: ${e.message}${lineText ? ` (in line ${showValue(lineText)})` : ''}` };
}

type Located = { path: PathPart[]; key?: string };

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** The path of the innermost value around `offset`; when it falls on a map key, the map's path and the key. */
function locate(node: YamlNode, offset: number, path: PathPart[]): Located | null {
  const range = node.range;
  if (range && (offset < range[0] || offset >= range[2])) return null;
  if (path.length >= MAX_LOCATE_DEPTH) return { path };
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (k?.range && offset >= k.range[0] && offset < k.range[1]) return { path, key: keyText(k) };
      const inner = isCollection(pair.value) || isScalar(pair.value) ? locate(pair.value, offset, [...path, keyText(k)]) : null;
      if (inner) return inner;
      // Between the key and its value, e.g. on a tag: the value's path.
      const end = (pair.value as YamlNode | null)?.range?.[2];
      if (k?.range && end !== undefined && offset >= k.range[0] && offset < end) return { path: [...path, keyText(k)] };
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = isCollection(item) || isScalar(item) ? locate(item as YamlNode, offset, [...path, i]) : null;
      if (inner) return inner;
    }
  }
  return { path };
}

function aliasesIn(node: unknown, path: PathPart[] = []): { alias: string; path: PathPart[] }[] {
  if (isAlias(node)) return [{ alias: `*${node.source}`, path }];
  if (isMap(node)) return node.items.flatMap((p) => (isPair(p) ? aliasesIn(p.value, [...path, keyText(p.key)]) : []));
  if (isSeq(node)) return node.items.flatMap((item, i) => aliasesIn(item, [...path, i]));
  return [];
}

/**
 * Writes a topology as a file in the documented format, leaving out defaults
 * and observed-only fields. parseTopologyYaml(stringifyTopology(t)) gives back
 * t for any normalized topology.
 */
export function stringifyTopology(t: Topology): string {
  const nodes = Object.entries(t.nodes).map(([name, node]) => [name, nodeForFile(name, node)]);
  const doc = new Document({
    name: t.name,
    ...(nodes.length > 0 ? { nodes: Object.fromEntries(nodes) } : {}),
    ...(t.links.length > 0 ? { links: t.links.map(linkForFile) } : {}),
    ...(t.allowWideHostRoutes ? { 'allow-wide-host-routes': true } : {}),
  });
  // Small maps and lists read best on one line: `position: {x: 120, y: 80}`.
  for (const [name, node] of Object.entries(t.nodes)) {
    const at = ['nodes', name];
    setFlow(doc.getIn([...at, 'position'], true));
    for (const iface of Object.keys(node.interfaces).filter((i) => !isDefaultImplicit(node, name, i, node.interfaces[i]))) setFlow(doc.getIn([...at, 'interfaces', iface], true));
    for (const [i] of node.routes.entries()) setFlow(doc.getIn([...at, 'routes', i], true));
  }
  for (const [i, link] of t.links.entries()) {
    setFlow(doc.getIn(['links', i, 'endpoints'], true));
    if (!link.netem) continue;
    const netem = doc.getIn(['links', i, 'netem'], true);
    if (sameNetem(link.netem[0], link.netem[1])) setFlow(netem);
    else for (const e of link.endpoints) setFlow(doc.getIn(['links', i, 'netem', endpointKey(e)], true));
  }
  return doc.toString({ flowCollectionPadding: false });
}

function setFlow(node: unknown): void {
  if (isCollection(node)) node.flow = true;
}

/** lo up with no extra address is what every namespace gets anyway; likewise a bridge's own device. */
function isDefaultImplicit(node: NodeSpec, name: string, iface: string, spec: InterfaceSpec): boolean {
  const implicit = kindModule(node.kind).implicitInterfaces(name)[iface];
  return implicit !== undefined && spec.up === implicit.up && spec.addresses.length === 0 && spec.mtu === undefined;
}

function nodeForFile(name: string, node: NodeSpec): Record<string, unknown> {
  const ifaces = Object.entries(node.interfaces).filter(([iface, spec]) => !isDefaultImplicit(node, name, iface, spec));
  const kind = kindModule(node.kind);
  // Said only when it is not what the kind does anyway; the host's "leave it as it is" is the absence.
  const sayForwarding = node.forwarding !== undefined && (kind.defaultForwarding === undefined || node.forwarding !== kind.defaultForwarding);
  const forwarding = sayForwarding ? { forwarding: node.forwarding } : {};
  return {
    ...(node.kind !== 'netns' ? { kind: node.kind } : {}),
    ...forwarding,
    ...(node.bridge?.stp ? { stp: true } : {}),
    ...(node.bridge?.vlanFiltering ? { vlan_filtering: true } : {}),
    ...(node.position ? { position: { x: Math.round(node.position.x) || 0, y: Math.round(node.position.y) || 0 } } : {}),
    ...(ifaces.length > 0 ? { interfaces: Object.fromEntries(ifaces.map(([iface, spec]) => [iface, interfaceForFile(spec)])) } : {}),
    ...(node.routes.length > 0 ? { routes: node.routes.map((r) => ({ to: r.to, ...(r.via ? { via: r.via } : {}), ...(r.dev ? { dev: r.dev } : {}) })) } : {}),
  };
}

/** netem the same both ways is written once; otherwise one map per end that has any. */
function linkForFile(link: LinkSpec): Record<string, unknown> {
  const endpoints = link.endpoints.map(endpointKey);
  if (!link.netem) return { endpoints };
  const [a, b] = link.netem;
  if (sameNetem(a, b)) return { endpoints, netem: netemForFile(a!) };
  const perEnd: Record<string, unknown> = {};
  link.endpoints.forEach((e, i) => {
    const spec = link.netem![i];
    if (spec) perEnd[endpointKey(e)] = netemForFile(spec);
  });
  return { endpoints, netem: perEnd };
}

function interfaceForFile(spec: InterfaceSpec): Record<string, unknown> {
  return {
    ...(spec.addresses.length > 0 ? { addresses: [...spec.addresses] } : {}),
    ...(spec.up ? {} : { up: false }),
    ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}),
  };
}
