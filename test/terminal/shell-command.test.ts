import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropPrivilegesArgs, parsePingTarget, pingCommand, shellCommand, shellEnvironment } from '../../server/terminal/shell-command';
import { checkTerminalSize, MAX_COLS, MAX_ROWS } from '../../server/terminal/terminal-size';

const user = { uid: 999, gid: 995, name: 'vethlab' };
const drop = [
  '--reuid=999',
  '--regid=995',
  '--clear-groups',
  '--inh-caps=-all,+net_admin,+net_raw',
  '--ambient-caps=-all,+net_admin,+net_raw',
  '--bounding-set=-all,+net_admin,+net_raw',
  '--no-new-privs',
  '--',
];

test('a namespace shell enters with ip netns exec, then drops to the shell user', () => {
  assert.deepEqual(shellCommand('vnet0', user, '/d/bashrc'), {
    file: 'ip',
    args: ['netns', 'exec', 'vnet0', 'setpriv', ...drop, 'bash', '--noprofile', '--rcfile', '/d/bashrc', '-i'],
  });
});

test('the host node stays in the root namespace, and may look but not change: CAP_NET_RAW only', () => {
  const hostDrop = dropPrivilegesArgs(user, ['net_raw']);
  assert.ok(hostDrop.includes('--ambient-caps=-all,+net_raw'));
  assert.deepEqual(pingCommand(undefined, user, '10.0.0.2'), {
    file: 'setpriv',
    args: [...hostDrop, 'ping', '-c', '3', '10.0.0.2'],
  });
});

test('refuses root and bad namespace names', () => {
  assert.throws(() => shellCommand('vnet0', { uid: 0, gid: 0 }, '/d/bashrc'));
  assert.throws(() => shellCommand('-x', user, '/d/bashrc'));
  assert.throws(() => shellCommand('a b', user, '/d/bashrc'));
});

test('ping targets are addresses only, in canonical form', () => {
  assert.deepEqual(parsePingTarget('10.0.0.2'), { target: '10.0.0.2' });
  assert.deepEqual(parsePingTarget('FD00:0::1'), { target: 'fd00::1' });
  for (const bad of ['example.com', '-c 1000', '10.0.0.2 -f', '', '1.2.3', undefined]) {
    assert.ok('error' in parsePingTarget(bad), String(bad));
  }
});

test('the environment is minimal and names the node', () => {
  assert.deepEqual(shellEnvironment('/d/home', 'vnet1', user), {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    HOME: '/d/home',
    USER: 'vethlab',
    LOGNAME: 'vethlab',
    SHELL: '/bin/bash',
    VETHLAB_NODE: 'vnet1',
  });
});

test('terminal sizes are integers, clamped', () => {
  assert.deepEqual(checkTerminalSize(80, 24), { cols: 80, rows: 24 });
  assert.deepEqual(checkTerminalSize(0, -3), { cols: 1, rows: 1 });
  assert.deepEqual(checkTerminalSize(1e9, 1e9), { cols: MAX_COLS, rows: MAX_ROWS });
  for (const [c, r] of [[NaN, 24], [80, Infinity], [80.5, 24], ['80', 24], [80, null]]) {
    assert.ok('error' in checkTerminalSize(c, r), `${c}x${r}`);
  }
});
