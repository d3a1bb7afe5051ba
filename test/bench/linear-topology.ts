/** A linear topology of N namespaces (N-1 veth pairs, an address on each end, all up), for benchmarks. */
import type { NodeSpec, Topology } from '../../server/model/topology';

export interface Linear {
  topology: Topology;
  names: string[];
  /** The plain iproute2 version: one root batch, then one batch per namespace. */
  rootBatch: string;
  nsBatches: Map<string, string>;
}

export function linearTopology(prefix: string, count: number): Linear {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const nodes: Record<string, NodeSpec> = {};
  for (const n of names) nodes[n] = { kind: 'netns', interfaces: {}, routes: [] };
  const links: Topology['links'] = [];
  const root: string[] = names.map((n) => `netns add ${n}`);
  const perNs = new Map<string, string[]>(names.map((n) => [n, ['link set lo up']]));
  for (let i = 0; i + 1 < count; i++) {
    const [a, b] = [names[i], names[i + 1]];
    const net = `10.${100 + Math.floor(i / 250)}.${i % 250}`;
    nodes[a].interfaces.right = { addresses: [`${net}.1/24`], up: true };
    nodes[b].interfaces.left = { addresses: [`${net}.2/24`], up: true };
    links.push({ endpoints: [{ node: a, iface: 'right' }, { node: b, iface: 'left' }] });
    root.push(`link add right netns ${a} type veth peer name left netns ${b}`);
    perNs.get(a)!.push(`addr add ${net}.1/24 dev right`, 'link set right up');
    perNs.get(b)!.push(`addr add ${net}.2/24 dev left`, 'link set left up');
  }
  return {
    topology: { name: `linear-${count}`, nodes, links },
    names,
    rootBatch: root.join('\n') + '\n',
    nsBatches: new Map([...perNs].map(([n, lines]) => [n, lines.join('\n') + '\n'])),
  };
}

/** A lab of five namespaces in a row (four cables), as a class would build. */
export function fiveYaml(): string {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const nodes = names.map((n, i) => {
    const ifs = [i > 0 ? `      left: {addresses: [10.0.${i}.2/24]}` : '', i < 4 ? `      right: {addresses: [10.0.${i + 1}.1/24]}` : ''].filter(Boolean).join('\n');
    return `  ${n}:\n    interfaces:\n${ifs}`;
  });
  const links = names.slice(0, 4).map((n, i) => `  - endpoints: [${n}:right, ${names[i + 1]}:left]`);
  return `name: five\nnodes:\n${nodes.join('\n')}\nlinks:\n${links.join('\n')}\n`;
}
