/**
 * The tutorials in the browser, in a fresh lab machine (real server, real
 * kernel, Debian Chromium): open the Lab terminal, type seed 004's commands
 * word for word and watch the canvas draw vnet0, vnet1 and the cable as
 * they appear, then ping; then seed 000 with its sudo in a second lab. The
 * real machine shows none of it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openLab, screenshot, until, type BrowserLab, terminalText, typeInTerminal } from './browser-fixture';
import { realMachine } from '../machine/machine-fixture';

let lab: BrowserLab | undefined;
let realBefore: string;

before(async () => {
  realBefore = realMachine();
  lab = await openLab({ realHost: false });
  await until('the page to connect', () => lab!.page.getByRole('button', { name: 'Lab terminal', exact: true }).isEnabled());
});

after(async () => {
  await lab?.close();
  assert.equal(realMachine(), realBefore, "the real machine's network is as it was");
});

const node = (page: Page, name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);

/** Whether every node of the diagram is whole inside the canvas. */
async function nodesInView(page: Page): Promise<boolean> {
  const pane = await page.locator('.react-flow').boundingBox();
  const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  return pane !== null && boxes.length > 0 && boxes.every((b) => b.left >= pane.x && b.top >= pane.y && b.right <= pane.x + pane.width && b.bottom <= pane.y + pane.height);
}

/** Types one command into the shown terminal and presses Enter. */
const type = (page: Page, command: string) => typeInTerminal(page, `${command}\n`);

async function openMachineTerminal(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Lab terminal', exact: true }).click();
  await until('the lab machine prompt', async () => /host#/.test(await terminalText(page)));
}

test("seed 004 typed in the Lab terminal: the canvas draws each step, and the ping gets 0% loss", async () => {
  const { page } = lab!;
  await openMachineTerminal(page);
  await type(page, 'ip link add veth0 type veth peer name veth1');
  await until('the host node with veth0 on the canvas', async () => (await node(page, 'host').getByText('veth0').count()) > 0);
  await type(page, 'ip link show veth0');
  await type(page, 'ip netns add vnet0');
  await until('vnet0 on the canvas', async () => (await node(page, 'vnet0').count()) === 1);
  await type(page, 'ip link set veth0 netns vnet0');
  await type(page, 'ip -n vnet0 addr add 10.0.1.0/24 dev veth0');
  await type(page, 'ip -n vnet0 link set veth0 up');
  await type(page, 'ip -n vnet0 link set lo up');
  await type(page, 'ip netns add vnet1');
  await type(page, 'ip link set veth1 netns vnet1');
  await until('the cable between vnet0 and vnet1', async () => (await page.locator('.react-flow__edge').count()) === 1 && (await node(page, 'vnet1').count()) === 1);
  await type(page, 'ip -n vnet1 addr add 10.0.1.1/24 dev veth1');
  await type(page, 'ip -n vnet1 link set veth1 up');
  await type(page, 'ip -n vnet1 link set lo up');
  await until('10.0.1.1/24 on vnet1', async () => (await node(page, 'vnet1').getByText('10.0.1.1/24').count()) > 0);
  await until('the cable drawn as up', async () => (await page.locator('.react-flow__edge-path.veth-edge.up').count()) === 1);
  await type(page, 'ip netns exec vnet1 ping -c 3 10.0.1.0');
  await until('the ping to finish with 0% loss', async () => /3 received, 0% packet loss/.test(await terminalText(page)));
  await screenshot(page, 'lab-machine-seed-004.png');
  assert.equal(realMachine(), realBefore, 'none of it is on the real machine');
});

test('seed 000 with its sudo, in a second lab opened by its own link', async () => {
  const { page, server } = lab!;
  server.registry.create('seed000');
  await page.goto(server.labUrl('seed000'));
  await until('the second lab to connect', () => page.getByRole('button', { name: 'Lab terminal', exact: true }).isEnabled());
  assert.match(await page.locator('.brand-lab').innerText(), /seed000/);
  await openMachineTerminal(page);
  for (const cmd of [
    'sudo ip link add veth1 type veth peer name veth0',
    'sudo ip netns add custom_namespace',
    'sudo ip link set veth1 netns custom_namespace',
    'sudo ip addr add 192.168.1.1/24 dev veth0',
    'sudo ip link set veth0 up',
    'sudo ip -n custom_namespace addr add 192.168.1.2/24 dev veth1',
    'sudo ip -n custom_namespace link set veth1 up',
    'sudo ip -n custom_namespace link set lo up',
    'sudo ip -n custom_namespace route add default via 192.168.1.1',
  ]) {
    await type(page, cmd);
  }
  await until('the cable host - custom_namespace', async () => (await page.locator('.react-flow__edge').count()) === 1 && (await node(page, 'custom_namespace').count()) === 1);
  await type(page, 'sudo ip netns exec custom_namespace ping 192.168.1.1 -c 3');
  await until('the ping from the namespace', async () => /3 received, 0% packet loss/.test(await terminalText(page)));
  await type(page, 'ping 192.168.1.2 -c 3');
  // Only the newest rows are on screen: the host's ping is the one that names 192.168.1.2 before its summary.
  await until('the ping from the host', async () => /PING 192\.168\.1\.2[\s\S]*3 received, 0% packet loss/.test(await terminalText(page)));
  // The host node grew as veth0 and its address came: it is still whole on the canvas.
  await until('every node whole in the canvas', () => nodesInView(page));
  await screenshot(page, 'lab-machine-seed-000.png');
  assert.equal(realMachine(), realBefore);
});

test('a view link shows the lab read-only: no editing in the toolbar or the inspector', async () => {
  const { page, server } = lab!;
  const editing = ['Add namespace', 'Add switch', 'Lab terminal', 'Import', 'Load example', 'Lessons ▾'];
  for (const name of editing) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `the edit link's page has ${name}`);
  await page.goto(server.labUrl('default', 'view'));
  await until('the view-only badge', async () => (await page.locator('.brand-readonly').count()) === 1);
  // Buttons that would change the lab are left out, not just greyed: with the badge they made the toolbar wider than 1440 px, and the page scrolled sideways.
  for (const name of editing) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
  assert.equal(await page.evaluate('document.documentElement.scrollWidth - innerWidth'), 0, 'the page is no wider than the window');
  await page.getByRole('button', { name: 'More actions' }).click();
  assert.equal(await page.getByRole('menuitem', { name: 'Export topology file (YAML)…' }).isDisabled(), false, 'reading the lab is allowed');
  // The menu leaves out what would change the lab, as the toolbar does, rather than listing it greyed.
  for (const name of ['Reset lab…', 'Import topology file…', 'Add host', 'Auto layout', 'Lab terminal (root shell)']) {
    assert.equal(await page.getByRole('menuitem', { name }).count(), 0, `the view link's menu has no ${name}`);
  }
  assert.equal(await page.getByRole('button', { name: 'Auto layout' }).count(), 0, 'nor has its toolbar Auto layout');
  await page.keyboard.press('Escape');
  await until('vnet0 on the canvas', async () => (await node(page, 'vnet0').count()) === 1);
  await node(page, 'vnet0').locator('.lab-node-header').click();
  await until('the inspector says it is view-only', async () => /View-only link/.test(await page.getByRole('complementary', { name: 'Inspector' }).innerText()));
  assert.equal(await page.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Open terminal' }).isDisabled(), true);
  // The edit link's Lab terminal is still open: the view link watches it, and its tab's × only hides it here.
  await until('the Lab terminal tab, to watch', async () => (await page.getByRole('button', { name: 'Hide terminal host' }).count()) === 1);
  assert.equal(await page.getByRole('button', { name: 'Close terminal host' }).count(), 0);
  await screenshot(page, 'lab-machine-view-only.png');
});
