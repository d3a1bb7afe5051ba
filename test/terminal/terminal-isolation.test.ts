/**
 * A lab shell runs inside its namespace as an unprivileged user that keeps
 * only CAP_NET_ADMIN and CAP_NET_RAW. Real kernel, run as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { useLab, Transcript } from './lab-fixture';
import { TerminalError } from '../../server/terminal/terminal-manager';

const env = useLab();

async function openShell(node: string, netns: string | undefined): Promise<Transcript> {
  const id = await env.fixture.manager.open({ node, netns, cols: 200, rows: 50 });
  const t = new Transcript(env.fixture.manager, id);
  await t.waitFor(new RegExp(`${node.replace(/[.]/g, '\\.')}\\$ $`));
  return t;
}

test('the prompt names the namespace and the shell sees only its interfaces', async () => {
  const t = await openShell(env.lab.nsA, env.lab.nsA);
  const { output, code } = await t.run('ip -o link');
  assert.equal(code, 0);
  assert.match(output, new RegExp(`: ${env.lab.ifA}@`));
  assert.match(output, /: lo: /);
  assert.doesNotMatch(output, new RegExp(env.lab.ifB));
  const links = output.split('\n').filter((l) => /^\d+: /.test(l));
  assert.equal(links.length, 2, output);
});

test('the shell keeps only net_admin and net_raw and is not root', async () => {
  const t = await openShell(env.lab.nsA, env.lab.nsA);
  const caps = await t.run('command grep Cap /proc/self/status');
  for (const set of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) {
    assert.match(caps.output, new RegExp(`${set}:\\s+0000000000003000`), caps.output);
  }
  const uid = await t.run('id -u');
  const n = Number(uid.output.trim().split('\n').pop());
  assert.ok(Number.isInteger(n) && n > 0, uid.output);
  const shellEnv = await t.run('echo "[$PATH|$TERM|$LANG|$HOME]"');
  assert.match(shellEnv.output, /\[\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin\|xterm-256color\|C\.UTF-8\|\/[^|\]]+\/home\]/);
  const home = await t.run('touch "$HOME/ok" && echo home-writable');
  assert.match(home.output, /\nhome-writable/);
});

test('the shell cannot enter another namespace or write to /etc', async () => {
  const t = await openShell(env.lab.nsA, env.lab.nsA);
  const other = await t.run(`ip netns exec ${env.lab.nsB} true`);
  assert.notEqual(other.code, 0, other.output);
  const etc = await t.run('touch /etc/vethlab-x');
  assert.notEqual(etc.code, 0, etc.output);
  assert.match(etc.output, /Permission denied/);
});

test('ip, ping and tcpdump work inside the lab', async () => {
  const t = await openShell(env.lab.nsA, env.lab.nsA);
  const addr = await t.run(`ip -o addr show dev ${env.lab.ifA}`);
  assert.match(addr.output, new RegExp(`inet ${env.lab.addrA.replace(/\./g, '\\.')}/30`));
  const change = await t.run(`ip addr add 10.213.255.1/32 dev lo && ip -o addr show dev lo`);
  assert.equal(change.code, 0, change.output);
  const ping = await t.run(`ping -c 1 -W 1 ${env.lab.addrB}`);
  assert.equal(ping.code, 0, ping.output);
  assert.match(ping.output, /1 received/);
  const capture = await t.run(
    `timeout 5 tcpdump -n -i ${env.lab.ifA} -c 1 icmp 2>&1 & sleep 0.5; ping -c 1 -W 1 ${env.lab.addrB} >/dev/null; wait`,
    10000,
  );
  assert.match(capture.output, /1 packet captured/, capture.output);
});

test('the host node runs in the root namespace, also unprivileged', async () => {
  const t = await openShell('host', undefined);
  const ns = await t.run('readlink /proc/self/ns/net; id -u');
  assert.ok(ns.output.includes(readlinkSync('/proc/self/ns/net')), ns.output);
  assert.doesNotMatch(ns.output, /\n0\n/);
});

test('a ping terminal shows the result and stays listed, not alive', async () => {
  const id = await env.fixture.manager.open({ node: env.lab.nsA, netns: env.lab.nsA, ping: env.lab.addrB });
  const t = new Transcript(env.fixture.manager, id);
  const reason = await t.waitForExit(10000);
  assert.match(reason, /ping exited with code 0/);
  assert.match(t.text, /3 received/);
  assert.deepEqual(env.fixture.manager.list().find((x) => x.id === id), {
    id,
    node: env.lab.nsA,
    title: `${env.lab.nsA}: ping -c 3 ${env.lab.addrB}`,
    alive: false,
  });
  assert.match(env.fixture.manager.attach(id, 'late-client'), /3 received/);
  assert.equal(await env.fixture.manager.close(id), true);
  assert.equal(env.fixture.manager.list().some((x) => x.id === id), false);
});

test('a ping target must be an address', async () => {
  for (const bad of ['localhost', '-f', '10.0.0.1; reboot', '10.0.0.256', '', 'fe80::1%eth0']) {
    await assert.rejects(env.fixture.manager.open({ node: env.lab.nsA, netns: env.lab.nsA, ping: bad }), TerminalError, bad);
  }
  await assert.rejects(env.fixture.manager.open({ node: '../etc', netns: '../etc' }), TerminalError);
  await assert.rejects(
    env.fixture.manager.open({ node: 'vlt-term-missing', netns: 'vlt-term-missing' }),
    /namespace vlt-term-missing does not exist/,
  );
  await assert.rejects(env.fixture.manager.open({ node: env.lab.nsA, netns: env.lab.nsA, cols: NaN }), TerminalError);
});
