/**
 * The two seed tutorials' endings in the browser (real server, real kernel,
 * Debian Chromium): load the two-namespaces seed, type `ping -c 3` in a
 * terminal on vnet1, use the Ping action, reload and find the output again;
 * then change the kernel from that terminal and watch the canvas follow:
 * `ip link set veth1 down` draws the cable as down, `ip addr add` shows the
 * address, a ping makes the cable's traffic indicator move.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { alerts, ip, netnsNames, openLab, screenshot, until, type BrowserLab, terminalText, typeInTerminal } from './browser-fixture';

/** The seed's names: the test needs them free and removes them after. */
const SEED = ['vnet0', 'vnet1'];
const PING_OK = /3 packets transmitted, 3 received, 0% packet loss/;
let lab: BrowserLab | undefined;

before(async () => {
  const taken = SEED.filter((n) => netnsNames().includes(n));
  assert.deepEqual(taken, [], `the seed test needs these namespace names free: ${taken.join(', ')}`);
  lab = await openLab();
});

after(async () => {
  try {
    await lab?.server.lab.destroy();
  } catch {
    // The fallback below still runs.
  }
  for (const ns of SEED.filter((n) => netnsNames().includes(n))) ip('netns', 'del', ns);
  await lab?.close();
});

const node = (page: Page, name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
const inspector = (page: Page) => page.getByRole('complementary', { name: 'Inspector' });


test('seed 004 in the browser: ping from a terminal and from the Ping action, kept across a reload; the canvas follows the terminal', async () => {
  const { page } = lab!;
  await page.getByRole('button', { name: 'Load example', exact: true }).click();
  await page.locator('[role="menuitem"][data-file="two-namespaces.yml"]').click();
  const confirm = page.getByRole('dialog').getByRole('button', { name: 'Load', exact: true });
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await until(`vnet0 and vnet1 on the canvas (${await alerts(page)})`, async () => (await node(page, 'vnet0').count()) === 1 && (await node(page, 'vnet1').count()) === 1);
  await until('the cable drawn as up', async () => (await page.locator('.react-flow__edge-path.veth-edge.up').count()) === 1);

  // A terminal on vnet1: the seed's last step, typed by hand.
  await node(page, 'vnet1').locator('.lab-node-header').click();
  await inspector(page).getByRole('button', { name: 'Open terminal' }).click();
  await page.getByRole('tab', { name: 'vnet1', exact: true }).waitFor();
  await until('a shell prompt naming vnet1', async () => (await terminalText(page)).includes('vnet1'));
  await typeInTerminal(page, 'ping -c 3 10.0.1.0\n');
  await until(`ping's summary in the terminal`, async () => PING_OK.test(await terminalText(page)));

  // The quick Ping action shows the same without typing.
  await inspector(page).getByRole('button', { name: 'Ping', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio', { name: /^10\.0\.1\.0\b/ }).check();
  await dialog.getByRole('button', { name: 'Run ping' }).click();
  const pingTab = page.getByRole('tab', { name: 'vnet1: ping -c 3 10.0.1.0' });
  await pingTab.waitFor();
  await until('the Ping action to show the result', async () => PING_OK.test(await terminalText(page)));

  // A reload re-attaches to both terminals with their output.
  await page.reload();
  await page.getByRole('tab', { name: 'vnet1', exact: true }).click();
  await until('the shell output after the reload', async () => PING_OK.test(await terminalText(page)));
  await pingTab.click();
  await until('the ping output after the reload', async () => PING_OK.test(await terminalText(page)));

  // The diagram follows the kernel: changes typed in the terminal show on the canvas.
  await page.getByRole('tab', { name: 'vnet1', exact: true }).click();
  await typeInTerminal(page, 'ip link set veth1 down\n');
  await until('the cable drawn as down', async () => (await page.locator('.react-flow__edge-path.veth-edge.down').count()) === 1, 3000);
  await typeInTerminal(page, 'ip addr add 10.0.1.7/24 dev veth1\n');
  await until('the new address on vnet1', async () => (await node(page, 'vnet1').textContent())?.includes('10.0.1.7/24'), 3000);
  await typeInTerminal(page, 'ip link set veth1 up\n');
  await until('the cable drawn as up again', async () => (await page.locator('.react-flow__edge-path.veth-edge.up').count()) === 1, 3000);
  await page.getByRole('tab', { name: 'Command log' }).click();
  await until('the log to tell observed changes apart', async () => (await page.locator('text=observed in vnet1: address 10.0.1.7/24 added to veth1').count()) > 0, 3000);

  await page.getByRole('tab', { name: 'vnet1', exact: true }).click();
  await typeInTerminal(page, 'ping -c 16 -i 0.3 10.0.1.0\n');
  await until('the cable to show traffic', async () => (await page.locator('.veth-flow').count()) > 0, 5000);
  await until('the rate on the cable', async () => /pkt\/s/.test((await page.locator('.veth-label').first().textContent()) ?? ''), 3000);
  // The tests' pages ask for reduced motion (browser-fixture.ts): the dashes stay still and the
  // cursor of a terminal (vnet1's, focused) does not blink. Without it, both move.
  const flowAnimation = () => page.locator('.veth-flow').first().evaluate((el) => getComputedStyle(el).animationName);
  const inShownTab = (selector: string) => page.locator(`[role="tabpanel"]:not([hidden]) ${selector}`);
  assert.equal(await flowAnimation(), 'none', 'with reduced motion asked for, the dashes stay still');
  await inShownTab('.xterm').click();
  // xterm draws a focused terminal's cursor as a block (an outline when not focused).
  await until("vnet1's cursor, focused", async () => (await inShownTab('.xterm-cursor.xterm-cursor-block').count()) > 0);
  assert.equal(await inShownTab('.xterm-cursor-blink').count(), 0, 'with reduced motion asked for, the cursor does not blink');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  assert.equal(await flowAnimation(), 'veth-flow', 'without it, the dashes move');
  await screenshot(page, 'browser-live-traffic.png');

  // Double-clicking a node opens a terminal in it too (here one made without reduced motion: its cursor blinks).
  await node(page, 'vnet0').locator('.lab-node-header').dblclick();
  await page.getByRole('tab', { name: 'vnet0', exact: true }).waitFor();
  await until('a shell prompt naming vnet0', async () => (await terminalText(page)).includes('vnet0'));
  await inShownTab('.xterm').click();
  await until("vnet0's cursor blinking", async () => (await inShownTab('.xterm-cursor-blink').count()) > 0);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.deepEqual(lab!.problems, [], 'no page errors');
});
