/**
 * The command line and environment of a lab terminal: a shell (or a ping)
 * entered into a network namespace with `ip netns exec`, then stripped by
 * setpriv to an unprivileged user that keeps only CAP_NET_ADMIN and
 * CAP_NET_RAW, so `ip`, `ping` and `tcpdump` work while the file system, other
 * namespaces and the rest of root's powers are out of reach. Pure, no I/O.
 */
import { netnsNameProblem } from '../model/names';
import { parseAddress } from '../model/prefix';
import type { ShellUser } from './shell-user';

/** The capabilities a lab shell keeps: configure interfaces and routes; raw sockets for ping and tcpdump. */
export const SHELL_CAPABILITIES = ['net_admin', 'net_raw'] as const;

/**
 * A terminal on the host node runs in the machine's own namespace, where
 * CAP_NET_ADMIN could take eth0 down: it keeps only CAP_NET_RAW, so it can
 * look (ip addr, ip route), ping and capture, but not change anything.
 */
export const HOST_SHELL_CAPABILITIES = ['net_raw'] as const;

export const SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Echo requests sent by a ping terminal. */
export const PING_COUNT = 3;

export interface Command {
  file: string;
  args: string[];
}

/**
 * setpriv's arguments (util-linux 2.38): the ambient set carries the two
 * capabilities across exec for a non-root uid; the bounding set and
 * no_new_privs keep set-uid and file-capability programs from adding more.
 */
export function dropPrivilegesArgs(user: Pick<ShellUser, 'uid' | 'gid'>, capabilities: readonly string[] = SHELL_CAPABILITIES): string[] {
  const caps = `-all,${capabilities.map((c) => `+${c}`).join(',')}`;
  return [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    `--inh-caps=${caps}`,
    `--ambient-caps=${caps}`,
    `--bounding-set=${caps}`,
    '--no-new-privs',
    '--',
  ];
}

/** `ip netns exec NS setpriv ... -- PROGRAM...`, or just `setpriv ...` in the root namespace. */
export function namespacedCommand(
  netns: string | undefined,
  user: Pick<ShellUser, 'uid' | 'gid'>,
  program: string[],
): Command {
  if (user.uid === 0) throw new Error('lab terminals must not run as root');
  const unprivileged = ['setpriv', ...dropPrivilegesArgs(user, netns === undefined ? HOST_SHELL_CAPABILITIES : SHELL_CAPABILITIES), ...program];
  if (netns === undefined) return { file: unprivileged[0], args: unprivileged.slice(1) };
  const problem = netnsNameProblem(netns);
  if (problem) throw new Error(`namespace name "${netns}" ${problem}`);
  return { file: 'ip', args: ['netns', 'exec', netns, ...unprivileged] };
}

export function shellCommand(netns: string | undefined, user: Pick<ShellUser, 'uid' | 'gid'>, rcfile: string): Command {
  return namespacedCommand(netns, user, ['bash', '--noprofile', '--rcfile', rcfile, '-i']);
}

/** `ping -c 3 TARGET`; the target must already have passed parsePingTarget. */
export function pingCommand(netns: string | undefined, user: Pick<ShellUser, 'uid' | 'gid'>, target: string): Command {
  return namespacedCommand(netns, user, ['ping', '-c', String(PING_COUNT), target]);
}

/** An IPv4 or IPv6 address in canonical form, or why not. Host names and options are refused. */
export function parsePingTarget(text: unknown): { target: string } | { error: string } {
  if (typeof text !== 'string') return { error: 'ping target must be a string' };
  const address = parseAddress(text.trim());
  if (!address) return { error: `ping target "${text.slice(0, 64)}" is not an IPv4 or IPv6 address` };
  return { target: address.canonical };
}

/** The whole environment of a lab terminal; nothing is inherited from the server. */
export function shellEnvironment(home: string, node: string, user: Pick<ShellUser, 'name'>): Record<string, string> {
  return {
    PATH: SHELL_PATH,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    HOME: home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: '/bin/bash',
    VETHLAB_NODE: node,
  };
}
