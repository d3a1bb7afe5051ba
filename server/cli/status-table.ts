/** `vethlab status`: the observed lab as readable tables. */
import type { Topology } from '../model/topology';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

export function statusTable(topo: Topology, header: string): string {
  const names = Object.keys(topo.nodes).sort();
  if (names.length === 0) return `${header}\n\nThe lab is empty. Apply a topology with: vethlab apply FILE`;
  const out = [header, ''];
  const rows = [['NODE', 'KIND', 'INTERFACE', 'ADMIN', 'STATE', 'ADDRESSES']];
  for (const name of names) {
    const node = topo.nodes[name];
    const ifaces = Object.keys(node.interfaces).sort();
    if (ifaces.length === 0) rows.push([name, node.kind, '-', '', '', '']);
    ifaces.forEach((ifname, i) => {
      const iface = node.interfaces[ifname];
      rows.push([i === 0 ? name : '', i === 0 ? node.kind : '', ifname, iface.up ? 'up' : 'down', (iface.state ?? '').toLowerCase(), iface.addresses.join(', ')]);
    });
  }
  out.push(table(rows), '');
  const linkRows = [['LINK (veth pair)', 'ENDS']];
  for (const link of topo.links) {
    const [a, b] = link.endpoints;
    const up = (e: { node: string; iface: string }) => (topo.nodes[e.node]?.interfaces[e.iface]?.up ? 'up' : 'down');
    linkRows.push([`${a.node}:${a.iface} <-> ${b.node}:${b.iface}`, `${up(a)}/${up(b)}`]);
  }
  for (const d of topo.dangling ?? []) linkRows.push([`${d.endpoint.node}:${d.endpoint.iface} <-> (peer in ${d.peer})`, 'dangling']);
  out.push(linkRows.length > 1 ? table(linkRows) : 'No links.', '');
  const routeRows = [['NODE', 'ROUTE']];
  for (const name of names) {
    for (const r of topo.nodes[name].routes) routeRows.push([name, [r.to, r.via ? `via ${r.via}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ')]);
  }
  out.push(routeRows.length > 1 ? table(routeRows) : 'No routes besides the ones the kernel makes for each address.');
  return out.join('\n');
}
