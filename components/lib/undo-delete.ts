/**
 * Undo of a delete, as a desired topology: the lab as it is now, plus what
 * the delete took (the nodes, their cables, the cable ends on the nodes that
 * stayed, and the routes through those ends). Whatever else changed since
 * stays as it is, so undo never reverts someone else's later edit. Pure: it
 * runs in the page and in the unit tests.
 */
import { desiredFromObserved } from '@/server/model/edits';
import { endpointKey, linkKey, type Topology } from '@/server/model/topology';

export interface DeleteUndo {
  /** What the undo brings back, for its button: "ns1 and 2 cables". */
  what: string;
  /** The lab just before the delete (desired form). */
  before: Topology;
  /** Nodes the delete removed. */
  nodes: string[];
  /** Cables the delete removed (linkKey). */
  links: string[];
}

/** What deleting a node or a cable takes, worked out from the lab before it. */
export function deleteUndo(observed: Topology, target: { node: string } | { link: string }): DeleteUndo {
  const before = desiredFromObserved(observed);
  if ('node' in target) {
    const links = before.links.filter((l) => l.endpoints.some((e) => e.node === target.node)).map(linkKey);
    const cables = links.length === 1 ? '1 cable' : `${links.length} cables`;
    return { what: links.length ? `${target.node} and its ${cables}` : target.node, before, nodes: [target.node], links };
  }
  const link = before.links.find((l) => linkKey(l) === target.link);
  const what = link ? `the cable ${link.endpoints[0].iface} ⟷ ${link.endpoints[1].iface}` : 'the cable';
  return { what, before, nodes: [], links: link ? [target.link] : [] };
}

/** The lab to load for the undo: `observed` now, with what `undo` took put back. */
export function undoTopology(observed: Topology, undo: DeleteUndo): Topology {
  const now = desiredFromObserved(observed);
  const nodes = { ...now.nodes };
  for (const name of undo.nodes) {
    // A node made meanwhile under the same name wins: undo does not overwrite it.
    if (!nodes[name] && undo.before.nodes[name]) nodes[name] = structuredClone(undo.before.nodes[name]);
  }
  const links = [...now.links];
  const present = new Set(links.map(linkKey));
  for (const link of undo.before.links) {
    const key = linkKey(link);
    if (!undo.links.includes(key) || present.has(key)) continue;
    if (!link.endpoints.every((e) => nodes[e.node])) continue;
    // An end's name taken meanwhile by another interface: that cable cannot come back as it was.
    if (link.endpoints.some((e) => !undo.nodes.includes(e.node) && nodes[e.node].interfaces[e.iface] && linkedNow(now, endpointKey(e)))) continue;
    for (const e of link.endpoints) {
      if (undo.nodes.includes(e.node)) continue;
      const node = (nodes[e.node] = structuredClone(nodes[e.node]));
      const was = undo.before.nodes[e.node];
      const spec = was?.interfaces[e.iface];
      if (spec) node.interfaces[e.iface] = structuredClone(spec);
      for (const r of was?.routes ?? []) if (r.dev === e.iface && !node.routes.some((x) => JSON.stringify(x) === JSON.stringify(r))) node.routes.push({ ...r });
    }
    links.push(structuredClone(link));
    present.add(key);
  }
  return { ...now, nodes, links };
}

function linkedNow(now: Topology, end: string): boolean {
  return now.links.some((l) => l.endpoints.some((e) => endpointKey(e) === end));
}
