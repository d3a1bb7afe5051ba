/**
 * A capture process on the real kernel (its own namespace and veth pair,
 * named vl...): it reads pcap from tcpdump, and it never outlives the
 * server: a server killed with -9 takes tcpdump with it, so nothing holds a
 * deleted namespace (and its veth pair) alive.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ip, ipJson, namespaceNames, REPO, tag } from '../support/kernel';
import { until } from '../support/wait';
import { hasEnded, watchProcess } from '../support/process';
import { CaptureProcess } from '../../server/capture/capture-process';
import { REAL_HOST } from '../../server/kernel/machine';

const NS = `vlcap${tag()}`;

after(() => {
  if (namespaceNames().includes(NS)) ip('netns', 'del', NS);
});

test('tcpdump in a namespace: records arrive, and stop() ends the process', async () => {
  ip('netns', 'add', NS);
  ip('-n', NS, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  ip('-n', NS, 'link', 'set', 'va', 'up');
  ip('-n', NS, 'link', 'set', 'vb', 'up');
  const p = new CaptureProcess(REAL_HOST, { namespace: NS, iface: 'va' });
  const records: number[] = [];
  p.on('records', (r) => records.push(...r.map((x) => x.length)));
  await until('tcpdump to listen', () => p.listening);
  ip('-n', NS, 'addr', 'add', '10.9.0.2/24', 'dev', 'vb');
  // Nobody answers; the ARP request it sends out of vb arrives at va.
  try {
    ip('netns', 'exec', NS, 'ping', '-c', '1', '-W', '1', '10.9.0.99');
  } catch {
    // 100% loss, as meant.
  }
  await until('a record', () => records.length > 0);
  const tcpdump = watchProcess(p.pid!);
  await p.stop();
  assert.ok(hasEnded(tcpdump));
  assert.equal(p.running, false);
});

test('a server killed with -9 takes its tcpdump along; the deleted namespace and its veth pair go', async () => {
  const script = `
    import { CaptureProcess } from './server/capture/capture-process.ts';
    import { REAL_HOST } from './server/kernel/machine.ts';
    const p = new CaptureProcess(REAL_HOST, { namespace: ${JSON.stringify(NS)}, iface: 'va' });
    p.on('listening', () => console.log('pid', p.pid));
    setInterval(() => {}, 1000);
  `;
  const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  const pid = await until('the capture to start', () => Number(/pid (\d+)/.exec(out)?.[1]) || undefined);
  const tcpdump = watchProcess(pid);
  server.kill('SIGKILL');
  await until('tcpdump to end with its server', () => hasEnded(tcpdump));
  // With nothing inside it, deleting the name frees the namespace: va and vb go with it.
  const before = ipJson<{ ifname: string }[]>('-n', NS, 'link', 'show').map((l) => l.ifname);
  assert.ok(before.includes('va'));
  ip('netns', 'del', NS);
  assert.equal(namespaceNames().includes(NS), false);
});
