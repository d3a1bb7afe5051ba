/**
 * Where kernel commands run: the real machine (real-host mode) or inside a
 * lab machine. Pure data, so the kernel adapters take it as a value and
 * never know which it is.
 */
export const IP_BINARY = process.env.VETHLAB_IP ?? 'ip';

export interface Machine {
  /** argv that runs a program in the machine's own network namespace; the program and its arguments follow. */
  exec: readonly string[];
  /**
   * The same for long-running readers (ip monitor, ip -batch readers): inside
   * a lab machine they stay out of its PID namespace, so they never show in
   * a student's `ps`. Only for commands that do not need it (`ip netns add` does).
   */
  observe: readonly string[];
  /** The directory of the machine's named network namespaces (its /run/netns), as this process reaches it. */
  netnsDir: string;
  /** true inside a lab machine: everything there is the lab's, so nothing needs an ownership mark. */
  confined: boolean;
}

export const REAL_HOST: Machine = { exec: [], observe: [], netnsDir: '/run/netns', confined: false };

/** `[file, args]` for running `program ...args` in the machine. */
export function commandIn(machine: Machine, program: string, args: readonly string[]): { file: string; args: string[] } {
  const argv = [...machine.exec, program, ...args];
  return { file: argv[0], args: argv.slice(1) };
}

/** `[file, args]` for `ip ...args` in the machine. */
export function ipIn(machine: Machine, args: readonly string[]): { file: string; args: string[] } {
  return commandIn(machine, IP_BINARY, args);
}

/** `[file, args]` for a long-running `ip ...args` reader in the machine. */
export function ipReaderIn(machine: Machine, args: readonly string[]): { file: string; args: string[] } {
  const argv = [...machine.observe, IP_BINARY, ...args];
  return { file: argv[0], args: argv.slice(1) };
}

