/** The parts of `ip -json -d -s` output that vethlab reads. */

export interface IpAddrInfo {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
  scope?: string;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate?: string;
  mtu?: number;
  /** The root qdisc's kind (`noqueue`, `netem`, ...). */
  qdisc?: string;
  link_type?: string;
  address?: string;
  ifalias?: string;
  /** The peer's name, for a veth whose peer is in the same namespace (ip prints it instead of link_index). */
  link?: string;
  /** The peer's ifindex, for veth (in the namespace named by link_netnsid, or this one). */
  link_index?: number;
  link_netnsid?: number;
  /** The bridge (or other master) this interface is a port of. */
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { stp_state?: number; vlan_filtering?: number } };
  addr_info?: IpAddrInfo[];
  stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } };
}

export interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  /** Present on IPv6 routes only. */
  pref?: string;
}

export interface IpNsid {
  nsid: number;
  name?: string;
}

/** One namespace as read by a single `ip -json -d -s -batch` (the root when netns is undefined). */
export interface NamespaceReading {
  netns?: string;
  nsids: IpNsid[];
  links: IpLink[];
  routes: IpRoute[];
  /** IPv4 forwarding of the namespace (`net.ipv4.ip_forward`, netconf's `all`). */
  forwarding?: boolean;
  /** Its qdiscs (`tc -j qdisc show`), when read. */
  qdiscs?: TcQdisc[];
}

/** One entry of `tc -j qdisc show`. */
export interface TcQdisc {
  kind: string;
  dev?: string;
  root?: boolean;
  options?: Record<string, unknown>;
}

/** One entry of `ip -json netconf show`. */
export interface IpNetconf {
  family: string;
  interface: string;
  forwarding?: boolean;
}

/** The batch that reads one namespace, and the flags it needs. */
export const READ_COMMANDS = ['netns list-id', 'addr show', 'route show table all', 'netconf show'];
export const READ_FLAGS = ['-d', '-s'];

export function toReading(netns: string | undefined, parts: unknown[]): NamespaceReading {
  const [nsids, links, routes, netconf] = parts as [IpNsid[], IpLink[], IpRoute[], IpNetconf[] | undefined];
  const all = (netconf ?? []).find((c) => c.family === 'inet' && c.interface === 'all');
  return { netns, nsids: nsids ?? [], links: links ?? [], routes: routes ?? [], forwarding: all?.forwarding === true };
}
