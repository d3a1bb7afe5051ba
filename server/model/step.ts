/** One planned change: a command and why it is needed. */
export interface Step {
  /** The namespace the command runs in (`ip -n NS ...`, `ip netns exec NS ...`); undefined for the root namespace. */
  netns?: string;
  /** The program; `ip` unless said. `ip` and `tc` steps are batched (`ip -batch`, `tc -batch`); `sysctl` runs alone. */
  program?: 'ip' | 'tc' | 'sysctl';
  /** The words after `ip [-n NS]` (or after the program), e.g. ['addr', 'add', '10.0.1.0/24', 'dev', 'veth0']. */
  args: string[];
  reason: string;
  /**
   * The lab's own upkeep (ownership marks, namespace ids for the watcher), not
   * a command a student would type: logged as such, hidden unless asked for,
   * left out of exported scripts.
   */
  bookkeeping?: boolean;
  /** Namespaces and root-namespace interfaces the step makes, so a real-host lab can record them before it runs. */
  creates?: Made;
  /** Likewise what it removes. */
  removes?: Made;
}

export interface Made {
  namespaces?: string[];
  /** veth ends in the root namespace (the host node's). */
  hostEnds?: string[];
}

/** Programs that take `-n NS` and `-batch -` as ip does. */
export function isBatchable(step: Step): boolean {
  return (step.program ?? 'ip') !== 'sysctl';
}

/** The full argv, program first: `ip -n NS ...`, `tc -n NS ...`, or `ip netns exec NS sysctl ...` for another program. */
export function stepArgv(step: Step): string[] {
  const program = step.program ?? 'ip';
  if (isBatchable(step)) return step.netns ? [program, '-n', step.netns, ...step.args] : [program, ...step.args];
  return step.netns ? ['ip', 'netns', 'exec', step.netns, program, ...step.args] : [program, ...step.args];
}

/** The command as a user would type it; every word is a validated name, so no quoting is needed. */
export function commandLine(step: Step): string {
  return stepArgv(step).join(' ');
}
