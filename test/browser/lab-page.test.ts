/**
 * The page on the real server and the real kernel: builds the two-namespaces
 * seed by hand (add, rename, connect, address), checks the kernel with
 * `ip -json` and a ping inside the lab, deletes the cable, loads the veth-host
 * example from the toolbar and resets. Screenshots go to test-artifacts/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  addrShow,
  alerts,
  hostHasLink,
  ip,
  netnsNames,
  ping,
  prefixes,
  screenshot,
  tag,
  until,
  openLab,
  type BrowserLab,
  terminalText,
  steady,
  dragCable,
} from './browser-fixture';

const t = tag();
const nsA = `vlb${t}a`;
const nsB = `vlb${t}b`;
/** Names fixed by the veth-host example; removed in cleanup only if this test made them. */
const EXAMPLE_NS = 'custom_namespace';
const EXAMPLE_HOST_END = 'veth0';
const ownNamespaces = [nsA, nsB];
const ownHostLinks: string[] = [];

let lab: BrowserLab | undefined;

before(async () => {
  lab = await openLab();
  await lab.page.getByRole('button', { name: 'Add namespace', exact: true }).waitFor();
});

after(async () => {
  try {
    // Destroy through the server's own lab: it removes exactly what it made.
    await lab?.server.lab.destroy();
  } catch {
    // The fallbacks below still run.
  }
  const present = new Set(netnsNames());
  for (const ns of ownNamespaces) {
    if (!present.has(ns)) continue;
    try {
      ip('netns', 'del', ns);
    } catch {
      // Gone meanwhile.
    }
  }
  for (const l of ownHostLinks) {
    try {
      if (hostHasLink(l)) ip('link', 'del', l);
    } catch {
      // Gone with its peer.
    }
  }
  await lab?.close();
});

function node(page: Page, name: string) {
  return page.locator(`.react-flow__node[data-id="${name}"]`);
}

function inspector(page: Page) {
  return page.getByRole('complementary', { name: 'Inspector' });
}

async function nodeIds(page: Page): Promise<string[]> {
  return page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
}

/** `Add namespace`, then rename the new node (the page selects it) through the inspector. */
async function addNamespace(page: Page, name: string): Promise<void> {
  const before = new Set(await nodeIds(page));
  await page.getByRole('button', { name: 'Add namespace', exact: true }).click();
  const added = await until(`a new node on the canvas (${await alerts(page)})`, async () => (await nodeIds(page)).find((id) => !before.has(id)));
  const field = inspector(page).getByLabel('Namespace name');
  await until(`the inspector to show ${added}`, async () => (await field.inputValue()) === added);
  await field.fill(name);
  await field.press('Enter');
  await node(page, name).waitFor({ timeout: 20_000 });
  await until(`${added} to be gone after the rename`, async () => !(await nodeIds(page)).includes(added));
}

/** Drags from one node's connect handle to the other's. */
const connect = dragCable;

const PING_OK = /3 packets transmitted, 3 received, 0% packet loss/;

/** The text of the terminal in the visible bottom tab. */

function vethOf(ns: string): string {
  const veths = addrShow(ns).filter((l) => l.linkinfo?.info_kind === 'veth');
  assert.equal(veths.length, 1, `${ns} has one veth`);
  return veths[0].ifname;
}

/** Selects the node, adds the address to its veth in the inspector and applies. */
async function setAddress(page: Page, ns: string, address: string): Promise<void> {
  const iface = vethOf(ns);
  await node(page, ns).locator('.lab-node-header').click();
  await until(`the inspector to show ${ns}`, async () => (await inspector(page).getByLabel('Namespace name').inputValue()) === ns);
  const group = inspector(page).getByRole('group', { name: `Interface ${iface}` });
  await group.getByRole('button', { name: 'Add address' }).click();
  await group.getByLabel(`Address 1 of ${iface}`, { exact: true }).fill(address);
  await group.getByLabel(`${iface} up`, { exact: true }).check();
  await group.getByRole('button', { name: 'Apply', exact: true }).click();
  await until(`${address} on ${ns}:${iface} (${await alerts(page)})`, () => {
    const link = addrShow(ns).find((l) => l.ifname === iface);
    return link !== undefined && prefixes(link).includes(address);
  });
}

/** Runs a test body; on failure the page's picture goes to test-artifacts/ beside the error. */
function withFailureShot(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (e) {
      if (!lab) throw e;
      await screenshot(lab.page, `browser-failed-${name}.png`).catch(() => {});
      if (lab.problems.length > 0) (e as Error).message += `\npage problems:\n${lab.problems.join('\n')}`;
      (e as Error).message += `\nlast socket messages:\n${lab.frames.join('\n')}`;
      throw e;
    }
  };
}

test('two namespaces built by hand: the kernel has the pair, the addresses, and ping works', withFailureShot('two-namespaces', async () => {
  const { page } = lab!;
  await addNamespace(page, nsA);
  await addNamespace(page, nsB);
  assert.ok(netnsNames().includes(nsA) && netnsNames().includes(nsB), 'both namespaces exist in the kernel');

  await connect(page, nsA, nsB);
  await until(`the veth pair in the kernel (${await alerts(page)})`, () => addrShow(nsA).some((l) => l.linkinfo?.info_kind === 'veth') && addrShow(nsB).some((l) => l.linkinfo?.info_kind === 'veth'));
  // attached, not visible: a level cable is an SVG path with a zero-height box.
  await page.locator('.react-flow__edge').first().waitFor({ state: 'attached' });
  assert.equal(await page.locator('.react-flow__edge').count(), 1, 'the canvas draws one cable');

  await setAddress(page, nsA, '10.0.1.0/24');
  await setAddress(page, nsB, '10.0.1.1/24');

  for (const [ns, addr] of [[nsA, '10.0.1.0/24'], [nsB, '10.0.1.1/24']]) {
    const veth = addrShow(ns).find((l) => l.linkinfo?.info_kind === 'veth')!;
    assert.deepEqual(prefixes(veth), [addr], `${ns}:${veth.ifname} has ${addr}`);
    await until(`${ns}:${veth.ifname} to be UP`, () => addrShow(ns).find((l) => l.ifname === veth.ifname)?.operstate === 'UP');
    assert.ok(veth.flags.includes('UP'), `${ns}:${veth.ifname} is set up`);
  }
  const result = await ping(nsA, '10.0.1.1');
  assert.equal(result.code, 0, `ping from ${nsA} to 10.0.1.1 works:\n${result.output}`);
  // The page shows what the kernel has: addresses on the nodes, the cable drawn as up.
  await until('the addresses on the canvas', async () => (await node(page, nsB).textContent())?.includes('10.0.1.1/24'));
  await until('the cable drawn as up', async () => (await page.locator('.react-flow__edge-path.veth-edge.up').count()) === 1);
  await page.mouse.click(5, 300); // deselect, for the picture
  await screenshot(page, 'browser-two-namespaces.png');

  // Terminals: a ping from the Ping dialog and a shell, both still there after a reload.
  await node(page, nsA).locator('.lab-node-header').click();
  await inspector(page).getByRole('button', { name: 'Ping', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio', { name: /^10\.0\.1\.1\b/ }).check();
  await dialog.getByRole('button', { name: 'Run ping' }).click();
  const pingTab = page.getByRole('tab', { name: `${nsA}: ping -c 3 10.0.1.1` });
  await pingTab.waitFor();
  await until(`the ping's result in its tab (${await alerts(page)})`, async () => PING_OK.test(await terminalText(page)));

  const vethB = vethOf(nsB);
  await node(page, nsB).locator('.lab-node-header').click();
  await inspector(page).getByRole('button', { name: 'Open terminal' }).click();
  const shellTab = page.getByRole('tab', { name: nsB, exact: true });
  await shellTab.waitFor();
  await until('a shell prompt', async () => (await terminalText(page)).trim().length > 0);
  // Key by key, as a person types (the other tests type a line at once: typeInTerminal).
  await page.locator('[role="tabpanel"]:not([hidden]) .xterm').click();
  await page.keyboard.type(`ip -br addr show dev ${vethB}\n`);
  await until('the shell to answer', async () => (await terminalText(page)).includes('10.0.1.1/24'));
  await screenshot(page, 'browser-terminal.png');

  await page.reload();
  await pingTab.click();
  await until('the ping tab to show its output again after the reload', async () => PING_OK.test(await terminalText(page)));
  await page.getByRole('tab', { name: nsB, exact: true }).click();
  await until('the shell tab to show its output again after the reload', async () => (await terminalText(page)).includes('10.0.1.1/24'));

  // Delete the cable: select it, press Delete.
  await page.locator('.veth-label').first().click();
  await page.keyboard.press('Delete');
  await until(`the veth pair to be gone from the kernel (${await alerts(page)})`, () => !addrShow(nsA).some((l) => l.linkinfo?.info_kind === 'veth') && !addrShow(nsB).some((l) => l.linkinfo?.info_kind === 'veth'));
  await until('the cable to be gone from the canvas', async () => (await page.locator('.react-flow__edge').count()) === 0);
  assert.deepEqual(lab!.problems, [], 'no page errors');
}));

test('the veth-host example loads from the toolbar and Reset removes it', async (tc) => {
  if (netnsNames().includes(EXAMPLE_NS) || hostHasLink(EXAMPLE_HOST_END)) {
    tc.skip(`this machine already has ${EXAMPLE_NS} or ${EXAMPLE_HOST_END}; the example would not be the test's own`);
    return;
  }
  ownNamespaces.push(EXAMPLE_NS);
  ownHostLinks.push(EXAMPLE_HOST_END);
  const { page } = lab!;
  await page.getByRole('button', { name: 'Load example', exact: true }).click();
  await page.locator('[role="menuitem"][data-file="veth-host.yml"]').click();
  // The lab still has this test's namespaces: the page asks before replacing them.
  await page.getByRole('dialog').getByRole('button', { name: 'Load', exact: true }).click();

  await until(`${EXAMPLE_NS} and the host end ${EXAMPLE_HOST_END} (${await alerts(page)})`, () => netnsNames().includes(EXAMPLE_NS) && hostHasLink(EXAMPLE_HOST_END));
  await until('192.168.1.1/24 on the host end', () => prefixes(addrShow(undefined).find((l) => l.ifname === EXAMPLE_HOST_END)!).includes('192.168.1.1/24'));
  await until('192.168.1.2/24 in the namespace', () => prefixes(addrShow(EXAMPLE_NS).find((l) => l.ifname === 'veth1')!).includes('192.168.1.2/24'));
  await until('the host end to be UP', () => addrShow(undefined).find((l) => l.ifname === EXAMPLE_HOST_END)?.operstate === 'UP');
  const result = await ping(EXAMPLE_NS, '192.168.1.1');
  assert.equal(result.code, 0, `ping from ${EXAMPLE_NS} to its host end works:\n${result.output}`);

  await node(page, 'host').waitFor();
  await node(page, EXAMPLE_NS).waitFor();
  await until('the cable on the canvas', async () => (await page.locator('.react-flow__edge').count()) === 1);
  assert.ok(!netnsNames().includes(nsA), 'loading replaced the hand-made lab');
  // The shell of a namespace that went away says so and its tab is marked ended.
  const endedTab = page.getByRole('tab', { name: `${nsB} (ended)` });
  await endedTab.waitFor();
  await endedTab.click();
  await until('the ended shell to say why', async () => (await terminalText(page)).includes(`[namespace ${nsB} was deleted]`));
  await page.getByRole('tab', { name: 'Command log' }).click();
  await sleepForFit();
  await screenshot(page, 'browser-veth-host.png');

  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Reset lab…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reset lab' }).click();
  await until(`${EXAMPLE_NS} and ${EXAMPLE_HOST_END} to be gone (${await alerts(page)})`, () => !netnsNames().includes(EXAMPLE_NS) && !hostHasLink(EXAMPLE_HOST_END));
  await until('an empty canvas', async () => (await page.locator('.react-flow__node').count()) === 0);
  await page.getByText('Add a namespace or load an example').waitFor();
  assert.equal(await page.locator('.react-flow__minimap').count(), 0, 'no mini map of nothing');
  assert.deepEqual(lab!.problems, [], 'no page errors');
});

/** The canvas fits the view after a load with a short animation: wait until the view stands still. */
function sleepForFit(): Promise<void> {
  return steady('the canvas to finish fitting the view', () => lab!.page.locator('.react-flow__viewport').getAttribute('style').then((s) => s ?? ''));
}
