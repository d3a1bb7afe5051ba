/**
 * Name rules shared by the file schema, the socket protocol and the CLI.
 * Each check returns null when the name is fine, or a sentence saying why not.
 */

/**
 * Orders names and keys by their UTF-16 code units: the same order on every
 * machine, whatever its locale. (localeCompare follows the machine's
 * language, and its first call loads ICU's collator: 20-60 ms of a run of
 * `vethlab apply`.)
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The kernel's IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_IFNAME_BYTES = 15;

/** Namespace names become file names under /run/netns and appear in shell commands. */
export const MAX_NETNS_NAME_BYTES = 64;

const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** TextEncoder rather than Buffer: the model also runs in the browser. */
const encoder = new TextEncoder();

/** Names are checked on every edit of every node: plain ASCII, the usual case, needs no encoding to count. */
function utf8Bytes(text: string): number {
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

export function interfaceNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'must not be empty';
  const bytes = utf8Bytes(name);
  if (bytes > MAX_IFNAME_BYTES) return `is ${bytes} bytes long; the kernel allows at most ${MAX_IFNAME_BYTES}`;
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  // Names become keys of plain objects; assigning `obj.__proto__` would replace the prototype instead.
  if (name === '__proto__') return 'must not be "__proto__"';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (/[\s/:%]/.test(name)) return 'must not contain "/", ":", "%" or whitespace';
  // Printable ASCII without shell metacharacters, so the exported script and the command log stay plain.
  if (!/^[A-Za-z0-9_.@+=-]+$/.test(name)) return 'may use only letters, digits and "_ . - @ + ="';
  return null;
}

export function netnsNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'must not be empty';
  const bytes = utf8Bytes(name);
  if (bytes > MAX_NETNS_NAME_BYTES) return `is ${bytes} bytes long; at most ${MAX_NETNS_NAME_BYTES} are allowed`;
  if (!NETNS_NAME.test(name)) {
    return 'must start with a letter or digit and use only letters, digits and "_ . -"';
  }
  return null;
}
