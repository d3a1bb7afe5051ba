/**
 * A capture expression (`icmp or arp`, `host 10.0.1.1`) is tcpdump's own
 * filter language. It is checked before any capture uses it: by its
 * characters, then compiled by tcpdump against an empty Ethernet capture
 * read from stdin, so no device is opened.
 */
import { spawn } from 'node:child_process';

export const MAX_FILTER_CHARS = 256;
/** What the filter language uses: words, numbers, addresses, operators, brackets. */
const FILTER_CHARS = /^[A-Za-z0-9 .:/()!&|<>=[\]_+*-]*$/;
const COMPILE_TIMEOUT_MS = 3000;

/** A pcap file header for an empty Ethernet capture. */
const EMPTY_ETHERNET_PCAP = (() => {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(1600, 16);
  b.writeUInt32LE(1, 20);
  return b;
})();

/** The reason the expression is not one tcpdump accepts, or undefined when it is. */
export async function checkCaptureFilter(expr: string): Promise<string | undefined> {
  if (expr.length > MAX_FILTER_CHARS) return `the capture expression is ${expr.length} characters long; at most ${MAX_FILTER_CHARS}`;
  if (!FILTER_CHARS.test(expr)) return `the capture expression ${JSON.stringify(expr)} has a character tcpdump's filter language does not use`;
  if (expr.trim() === '') return undefined;
  return new Promise((resolve) => {
    const child = spawn('tcpdump', ['-r', '-', '-d', '--', expr], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), COMPILE_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => {});
    child.stdin.end(EMPTY_ETHERNET_PCAP);
    child.on('error', (e) => resolve(`tcpdump could not check the expression: ${e.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve(undefined);
      const why = err.split('\n').filter((l) => l && !l.startsWith('reading from')).join('; ').replace(/^tcpdump: /, '');
      resolve(`the capture expression ${JSON.stringify(expr)} is not valid: ${why || `tcpdump exited ${code}`}`);
    });
  });
}
