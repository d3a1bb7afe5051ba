/**
 * The page on a projector (issue 14), in a lab machine, Debian Chromium at
 * 1280x720 and 1920x1080: what a teacher at the front and a class at the
 * back see. One test per item of the issue, with assertions on the page as
 * it is drawn (sizes, positions, what is in view), and screenshots in
 * test-artifacts/ that were looked at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { alerts, inspector, newPage, openLab, screenshot, steadyDiagram, terminalText, typeInTerminal, until, type BrowserLab } from './browser-fixture';

const LAB_YAML = `name: projector
nodes:
  sw1:
    kind: bridge
  ns1:
    interfaces: {veth0: {addresses: [10.0.1.2/24]}}
    routes: [{to: default, via: 10.0.1.1}]
  ns2:
    interfaces: {veth2: {addresses: [10.0.1.3/24]}}
  r1:
    kind: router
    interfaces: {veth4: {addresses: [10.0.1.1/24]}, veth6: {addresses: [10.0.2.1/24]}}
  ns3:
    interfaces: {veth7: {addresses: [10.0.2.2/24]}}
links:
  - endpoints: [ns1:veth0, sw1:veth1]
  - endpoints: [ns2:veth2, sw1:veth3]
  - endpoints: [r1:veth4, sw1:veth5]
  - endpoints: [r1:veth6, ns3:veth7]
`;
const NODES = ['sw1', 'ns1', 'ns2', 'r1', 'ns3'];
const SMALL = { width: 1280, height: 720 };
const LARGE = { width: 1920, height: 1080 };

let lab: BrowserLab | undefined;
let files = '';

before(async () => {
  files = await mkdtemp(path.join(tmpdir(), 'vlb-projector-'));
  await writeFile(path.join(files, 'projector.yml'), LAB_YAML);
  lab = await openLab({ realHost: false, viewport: SMALL });
  const { page } = lab;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(lab.server.url).origin });
  await page.getByLabel('Topology file to import').setInputFiles(path.join(files, 'projector.yml'));
  await until(`the five nodes on the canvas (${await alerts(page)})`, async () => (await page.locator('.react-flow__node').count()) === NODES.length);
  await page.keyboard.press('l');
  await settled(page);
});

after(async () => {
  await lab?.close();
  await rm(files, { recursive: true, force: true });
});

type Box = { x: number; y: number; width: number; height: number };

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  assert.ok(b, 'the element is on screen');
  return b;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(inner: Box, outer: Box, slack = 1): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
}

/** Waits until the diagram stops moving (fit-view animates for 300 ms). */
async function settled(page: Page): Promise<void> {
  await page.waitForTimeout(200);
  await steadyDiagram(page);
}

async function nodeBoxes(page: Page): Promise<Box[]> {
  return Promise.all((await page.locator('.react-flow__node').all()).map((n) => box(n)));
}

/** Every node inside the canvas and none under the mini map (when it shows). */
async function assertAllInView(page: Page, where: string): Promise<void> {
  const canvas = await box(page.locator('.canvas'));
  const map = page.getByRole('img', { name: 'Mini map' }).or(page.locator('.react-flow__minimap'));
  const mapBox = (await map.count()) > 0 ? await map.first().boundingBox() : null;
  for (const [i, n] of (await nodeBoxes(page)).entries()) {
    assert.ok(inside(n, canvas), `${where}: node ${i} ${JSON.stringify(n)} is inside the canvas ${JSON.stringify(canvas)}`);
    if (mapBox) assert.ok(!overlaps(n, mapBox), `${where}: node ${i} is not under the mini map`);
  }
}

const logVisible = async (page: Page) => {
  const last = page.locator('.log-entry').last();
  const logBox = await box(page.locator('.log'));
  const entry = await last.boundingBox();
  return !!entry && entry.y >= logBox.y - 1 && entry.y + entry.height <= logBox.y + logBox.height + 1;
};

const nodeCount = (page: Page) => page.locator('.react-flow__node').count();

test('1. one-row toolbar, a canvas that takes the screen, fit on resize, presentation mode, panels and mini map that fold', async () => {
  const { page } = lab!;
  for (const size of [SMALL, LARGE, { width: 853, height: 480 }]) {
    await page.setViewportSize(size);
    await settled(page);
    const toolbar = await box(page.locator('.toolbar'));
    const buttons = await page.locator('.toolbar-row > *:visible').all();
    const tops = new Set(await Promise.all(buttons.map(async (b) => Math.round(((await b.boundingBox())?.y ?? 0) / 8))));
    assert.ok(toolbar.height <= 64, `${size.width}px: the toolbar is one row (${toolbar.height} px high)`);
    assert.ok(tops.size <= 2, `${size.width}px: every toolbar item on one line (${[...tops]})`);
    const canvas = await box(page.locator('.canvas'));
    const share = canvas.height / size.height;
    if (size.width < 1000) assert.equal(await page.locator('.side-panel').count(), 0, 'a narrow window folds the side panel');
    if (size.height >= 720) assert.ok(share >= 0.55, `${size.width}x${size.height}: the canvas has ${(share * 100).toFixed(0)}% of the height`);
    await assertAllInView(page, `after resizing to ${size.width}x${size.height}`);
    const widest = Math.max(...(await nodeBoxes(page)).map((b) => b.width));
    console.log(`# ${size.width}x${size.height}: toolbar ${toolbar.height.toFixed(0)} px, canvas ${canvas.width.toFixed(0)}x${canvas.height.toFixed(0)} (${(share * 100).toFixed(0)}% of the height), widest node ${widest.toFixed(0)} px`);
    await screenshot(page, `projector-${size.width}.png`);
  }
  await page.setViewportSize(SMALL);
  await settled(page);
  await page.getByRole('button', { name: 'Show the side panel' }).click();
  await settled(page);
  // The overflow menu holds what the row has no room for.
  await page.getByRole('button', { name: 'More actions' }).click();
  for (const item of ['Add host', 'Import topology file…', 'Diagram as PNG', 'Auto layout', 'Reset lab…']) {
    assert.equal(await page.getByRole('menuitem', { name: item }).count(), 1, `"${item}" is in the ⋯ menu`);
  }
  await page.keyboard.press('Escape');

  // Presentation mode, by key: large type, the side panel and the mini map fold away, the lab refits.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  await until('presentation mode', async () => (await page.getByRole('button', { name: 'Present' }).getAttribute('aria-pressed')) === 'true');
  await settled(page);
  assert.equal(await page.evaluate('getComputedStyle(document.body).fontSize'), '20px', 'large type');
  assert.equal(await page.locator('.side-panel').count(), 0, 'the side panel folded');
  assert.equal(await page.locator('.react-flow__minimap').count(), 0, 'the mini map hidden');
  await page.keyboard.press('b');
  await settled(page);
  const presentingShare = (await box(page.locator('.canvas'))).height / SMALL.height;
  assert.ok(presentingShare >= 0.8, `presenting with the bottom panel folded, the canvas has ${(presentingShare * 100).toFixed(0)}% of the height`);
  await assertAllInView(page, 'presenting');
  const biggest = Math.max(...(await nodeBoxes(page)).map((b) => b.width));
  assert.ok(biggest >= 200, `nodes drawn large enough to read from the back (${biggest} px wide)`);
  console.log(`# presenting, bottom panel folded, 1280x720: canvas ${(presentingShare * 100).toFixed(0)}% of the height, widest node ${biggest.toFixed(0)} px`);
  await screenshot(page, 'projector-presenting-1280.png');
  await page.setViewportSize(LARGE);
  await settled(page);
  await screenshot(page, 'projector-presenting-1920.png');
  await page.setViewportSize(SMALL);
  // By button: the panels come back as they were.
  await page.getByRole('button', { name: 'Present' }).click();
  await page.getByRole('button', { name: 'Show the bottom panel' }).click();
  await until('the side panel back', async () => (await page.locator('.side-panel').count()) === 1);
  assert.equal(await page.locator('.react-flow__minimap').count(), 1, 'the mini map back');

  // The side panel folds with its button, the mini map with M.
  const before = await box(page.locator('.canvas'));
  await page.getByRole('button', { name: 'Hide the side panel' }).click();
  await settled(page);
  assert.ok((await box(page.locator('.canvas'))).width > before.width + 300, 'the canvas takes the side panel’s room');
  await assertAllInView(page, 'side panel folded');
  await page.getByRole('button', { name: 'Show the side panel' }).click();
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await until('the mini map hidden', async () => (await page.locator('.react-flow__minimap').count()) === 0);
  await page.keyboard.press('m');
  await settled(page);
  await assertAllInView(page, 'mini map back');
});

test('1. a node added elsewhere (another browser) that lands out of view brings the view to it', async () => {
  const { page, browser, server } = lab!;
  await settled(page);
  const other = await newPage(browser, LARGE);
  try {
    await other.goto(server.url);
    await until('the second page to connect', () => other.getByRole('button', { name: 'Add namespace', exact: true }).isEnabled());
    const count = await nodeCount(page);
    // The second browser places them in its own, larger view: some land outside the first page's.
    const add = other.getByRole('button', { name: 'Add namespace', exact: true });
    for (let i = 0; i < 6; i++) await add.click();
    await until('six more nodes on the first page', async () => (await nodeCount(page)) === count + 6);
    await settled(page);
    await assertAllInView(page, 'after six nodes came from another browser');
  } finally {
    await other.close();
  }
});

test('2. the command log follows its newest entry: after a terminal tab, after a resize; scrolled up it offers the new entries', async () => {
  const { page } = lab!;
  await page.setViewportSize(SMALL);
  await page.keyboard.press('t');
  await until('the lab terminal', async () => /host#/.test(await terminalText(page)));
  // Entries arrive while the log is hidden behind the terminal tab.
  const entries = await page.locator('.log-entry').count();
  await typeInTerminal(page, 'ip netns add logtest1\n');
  await until('the namespace typed in the terminal on the canvas', async () => (await page.locator('.react-flow__node[data-id="logtest1"]').count()) === 1);
  await until('its log entry', async () => (await page.locator('.log-entry').count()) > entries);
  await page.getByRole('tab', { name: /Command log/ }).click();
  await until('the newest entry in the visible part of the log', () => logVisible(page));
  await page.setViewportSize({ width: 1280, height: 600 });
  await until('the newest entry visible after a resize', () => logVisible(page));
  await page.setViewportSize(SMALL);
  await until('the newest entry visible after growing back', () => logVisible(page));
  // Scrolled up, the reader stays where they are, and is told of new entries.
  await page.locator('.log').evaluate((el) => (el.scrollTop = 0));
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('n');
  const button = page.getByRole('button', { name: /new entr/ });
  await until('the "new entries" button', async () => (await button.count()) === 1);
  assert.equal(await page.locator('.log').evaluate((el) => el.scrollTop), 0, 'the log did not jump while the reader reads');
  await button.click();
  await until('the newest entry visible after the button', () => logVisible(page));
  assert.equal(await button.count(), 0, 'the button goes once the newest is shown');
  await screenshot(page, 'projector-log-1280.png');
});

test('3. "Copy build commands" copies the export script, apart from the history', async () => {
  const { page } = lab!;
  await page.getByRole('tab', { name: /Command log/ }).click();
  await page.getByRole('button', { name: 'Copy build commands' }).click();
  await until('the copy to be confirmed', async () => (await page.getByText('Copied the commands that build this lab').count()) > 0);
  const build = String(await page.evaluate('navigator.clipboard.readText()'));
  for (const n of NODES) assert.match(build, new RegExp(`ip netns add ${n}\\b|ip link add ${n}\\b`), `the script makes ${n}`);
  assert.doesNotMatch(build, /ip netns del/, 'no history of deletes in the build script');
  await page.getByRole('button', { name: 'Copy history' }).click();
  await until('the history copied', async () => (await page.getByText('Copied the history').count()) > 0);
  const history = String(await page.evaluate('navigator.clipboard.readText()'));
  assert.notEqual(history, build, 'the history is another thing');
  assert.match(history, /in order/);
});

test('4. deleting a node with a terminal asks first; undo brings the node and its cables back', async () => {
  const { page } = lab!;
  const cables = await page.locator('.react-flow__edge').count();
  // A terminal in ns3, then Delete on the selected node.
  await page.locator('.react-flow__node[data-id="ns3"] .lab-node-header').dblclick();
  await until('ns3’s terminal', async () => /ns3/.test((await page.getByRole('tablist', { name: 'Bottom panel' }).getByRole('tab', { selected: true }).innerText()) ?? ''));
  await page.locator('.react-flow__node[data-id="ns3"] .lab-node-header').click();
  await page.keyboard.press('Delete');
  const dialog = page.getByRole('dialog', { name: 'Delete ns3?' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /terminal/, 'the dialog names the terminal that would go');
  await screenshot(page, 'projector-delete-1280.png');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.locator('.react-flow__node[data-id="ns3"]').count(), 1, 'Cancel keeps the node');
  await page.keyboard.press('Delete');
  await page.getByRole('dialog', { name: 'Delete ns3?' }).getByRole('button', { name: 'Delete ns3' }).click();
  await until('ns3 gone from the kernel (the diagram reads it back)', async () => (await page.locator('.react-flow__node[data-id="ns3"]').count()) === 0);
  assert.equal(await page.locator('.react-flow__edge').count(), cables - 1);
  // The toast comes with the delete's answer, which may follow the state that took ns3 off the canvas.
  await until('the toast to offer Undo', async () => (await page.getByRole('button', { name: 'Undo' }).count()) === 1);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await until('ns3 and its cable back', async () => (await page.locator('.react-flow__node[data-id="ns3"]').count()) === 1 && (await page.locator('.react-flow__edge').count()) === cables);
  await until('ns3’s address back', async () => (await page.locator('.react-flow__node[data-id="ns3"]').getByText('10.0.2.2/24').count()) === 1);
  // A node with one cable and no terminal goes at once, and comes back with the toast's Undo.
  await page.locator('.react-flow__node[data-id="ns2"] .lab-node-header').click();
  await page.keyboard.press('Delete');
  await until('ns2 gone', async () => (await page.locator('.react-flow__node[data-id="ns2"]').count()) === 0);
  assert.equal(await page.getByRole('dialog').count(), 0, 'no question for one cable and no terminal');
  await page.getByRole('button', { name: 'Undo' }).click();
  await until('ns2 back', async () => (await page.locator('.react-flow__node[data-id="ns2"]').count()) === 1 && (await page.locator('.react-flow__edge').count()) === cables);
});

test('5. forms: focus, no error before typing, Enter applies, Escape reverts, clashes and shared addresses caught while typing', async () => {
  const { page } = lab!;
  await page.locator('.react-flow__node[data-id="ns1"] .lab-node-header').click();
  const panel = inspector(page);
  const veth0 = panel.getByRole('group', { name: 'Interface veth0' });
  await veth0.getByRole('button', { name: 'Add address' }).click();
  const field = panel.getByLabel('Address 2 of veth0', { exact: true });
  assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the new address field has the focus');
  assert.equal(await panel.locator('.field-error').count(), 0, `no red error before anything is typed (${await panel.locator('.field-error').allInnerTexts()})`);
  await field.fill('10.0.1.3/24');
  await until('a warning: ns2 has that address', async () => /also on ns2:veth2/.test(await panel.locator('.field-warning').innerText().catch(() => '')));
  await field.press('Escape');
  await until('Escape removed the new row', async () => (await panel.getByLabel('Address 2 of veth0', { exact: true }).count()) === 0);
  // Interface name: a clash as it is typed; Escape puts the name back.
  const name = panel.getByRole('group', { name: 'Interface veth0' }).getByLabel('Name');
  await name.fill('lo');
  await until('the clash shown', async () => /already an interface of ns1/.test(await panel.innerText()));
  await name.press('Escape');
  assert.equal(await name.inputValue(), 'veth0', 'Escape reverted the interface name');
  // Node name: another node's name is caught while typing.
  const nodeName = panel.getByLabel('Namespace name');
  await nodeName.fill('ns2');
  await until('the node name clash shown', async () => /already the name of another node/.test(await panel.innerText()));
  await nodeName.press('Escape');
  assert.equal(await nodeName.inputValue(), 'ns1');
  // Routes: a new row is not red, Enter applies it.
  await panel.getByRole('button', { name: 'Add route', exact: true }).click();
  assert.equal(await panel.locator('.route-row .field-error').count(), 0, 'an empty route row is not red');
  const to = panel.getByLabel(/Route 2 destination/);
  assert.equal(await to.evaluate((el) => el === document.activeElement), true, 'the new route row has the focus');
  await to.fill('10.0.9.0/24');
  await panel.getByLabel(/Route 2 gateway/).fill('10.0.1.1');
  await panel.getByLabel(/Route 2 gateway/).press('Enter');
  await until(`the route applied on Enter (${await alerts(page)})`, async () => (await page.locator('.log-entry').filter({ hasText: 'route add 10.0.9.0/24 via 10.0.1.1' }).count()) > 0);
  // Enter in an address field applies too.
  await veth0.getByRole('button', { name: 'Add address' }).click();
  await panel.getByLabel('Address 2 of veth0', { exact: true }).fill('10.0.1.20/24');
  await panel.getByLabel('Address 2 of veth0', { exact: true }).press('Enter');
  await until('the address applied on Enter', async () => (await page.locator('.react-flow__node[data-id="ns1"]').getByText('10.0.1.20/24').count()) === 1);
  // A refusal is a toast away from the field being edited, in words, not the protocol's field name.
  await panel.getByRole('button', { name: 'Add route', exact: true }).click();
  await panel.getByLabel(/Route 3 destination/).fill('10.0.8.0/24');
  await panel.getByLabel(/Route 3 gateway/).fill('10.9.9.9');
  await panel.getByLabel(/Route 3 gateway/).press('Enter');
  const toast = page.locator('.toast-error').first();
  await toast.waitFor();
  assert.ok(!overlaps(await box(toast), await box(panel)), 'the toast does not cover the inspector');
  assert.doesNotMatch(await toast.innerText(), /^[a-z]+: /, 'no protocol prefix');
  await screenshot(page, 'projector-forms-1280.png');
  await panel.getByLabel(/Route 3 gateway/).press('Escape');
});

test('6. a bad file is refused before any question, and nothing changes', async () => {
  const { page } = lab!;
  const bad = path.join(files, 'bad.yml');
  await writeFile(bad, 'name: bad\nnodes:\n  ns1:\n    interfaces: {veth0: {addresses: [10.0.1.300/24]}}\n');
  const count = await nodeCount(page);
  await page.getByLabel('Topology file to import').setInputFiles(bad);
  const dialog = page.getByRole('dialog', { name: '“bad.yml” cannot be loaded' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /nodes\.ns1\.interfaces\.veth0\.addresses\[0\]/, 'the field is named');
  assert.match(await dialog.innerText(), /10\.0\.1\.300/, 'and its value');
  assert.equal(await page.getByRole('dialog', { name: /^Load/ }).count(), 0, 'no "Load bad.yml?" question');
  await dialog.getByRole('button', { name: 'OK' }).click();
  assert.equal(await nodeCount(page), count, 'the lab is as it was');
});

test('7. terminal tabs: a ping tab names its command, a clean exit is not a warning, ended tabs close at once, larger type when presenting', async () => {
  const { page } = lab!;
  await page.locator('.react-flow__node[data-id="ns1"] .lab-node-header').click();
  await inspector(page).getByRole('button', { name: 'Ping', exact: true }).click();
  await page.getByRole('dialog').getByRole('textbox').first().fill('10.0.1.1');
  await page.getByRole('button', { name: 'Run ping' }).click();
  const pingTab = page.getByRole('tab', { name: /ns1: ping -c 3 10\.0\.1\.1/ });
  await pingTab.waitFor();
  await until('the ping to end', async () => /exited with code 0/.test(await terminalText(page)));
  const colours = await page.locator('[role="tabpanel"]:not([hidden]) .xterm-rows > div').filter({ hasText: 'exited with code 0' }).locator('span').evaluateAll((spans) => spans.map((s) => s.className).join(' '));
  assert.doesNotMatch(colours, /xterm-fg-(3|11)\b/, `the clean exit is not yellow (${colours})`);
  await page.keyboard.press('Escape');
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  const ended = page.getByRole('button', { name: /^Close \d+ ended$/ });
  await ended.waitFor();
  await ended.click();
  await until('ended tabs closed', async () => (await page.locator('.terminal-tab.ended').count()) === 0);
  assert.equal(await page.getByRole('tab', { name: /Command log/ }).isVisible(), true, 'the Command log tab stays in sight');
  // Presentation mode enlarges an open terminal's type.
  await page.keyboard.press('t');
  await until('a lab terminal', async () => (await page.locator('[role="tabpanel"]:not([hidden]) .terminal-host').count()) === 1);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  await until('22 px terminal type', async () => (await page.locator('[role="tabpanel"]:not([hidden]) .terminal-host').getAttribute('data-font-size')) === '22');
  await screenshot(page, 'projector-terminal-presenting-1280.png');
  // Leaving presentation mode brings the side panel back and refits the lab: the next test double-clicks a node.
  await page.keyboard.press('p');
  await until('presentation mode off', async () => (await page.getByRole('button', { name: 'Present' }).getAttribute('aria-pressed')) === 'false');
  await settled(page);
});

test('8. traffic: steady rate labels during a ping, live counters, background traffic explained, and a tick does not redraw the log', async () => {
  const { page } = lab!;
  await page.locator('.react-flow__node[data-id="ns1"] .lab-node-header').dblclick();
  await until('ns1’s shell', async () => {
    const text = await terminalText(page);
    if (/ns1/.test(text)) return true;
    throw new Error(`tabs ${(await page.getByRole('tab').allInnerTexts()).join(' | ')}; the shown terminal has "${text.slice(-200)}"`);
  });
  await typeInTerminal(page, 'ping -c 12 10.0.1.1\n');
  const label = page.locator('.veth-label', { hasText: 'veth0' }).locator('.veth-rate');
  await until('the ns1 cable’s rate label', async () => (await label.count()) === 1, { timeoutMs: 8000 });
  await page.getByRole('tab', { name: /Command log/ }).click();
  const renders = Number(await page.locator('.log').getAttribute('data-renders'));
  // Select the cable: its counters must move while the ping runs.
  await page.locator('.veth-label', { hasText: 'veth0' }).click();
  const counters = inspector(page).locator('.iface-counters').first();
  const first = await counters.innerText();
  let gaps = 0;
  const seen: string[] = [];
  for (let i = 0; i < 16; i++) {
    await page.waitForTimeout(250);
    if ((await label.count()) === 0) gaps += 1;
    seen.push((await label.count()) ? await label.innerText() : '-');
  }
  assert.equal(gaps, 0, `the rate label stayed on for 4 s of a steady ping (missing ${gaps} of 16 looks)`);
  console.log(`# steady ping: the rate label was there at 16 of 16 looks in 4 s: ${seen.join(' | ')}`);
  assert.notEqual(await counters.innerText(), first, 'the rx/tx counters moved');
  assert.match(await inspector(page).innerText(), /IPv6 neighbour discovery/, 'background traffic is explained');
  assert.equal(Number(await page.locator('.log').getAttribute('data-renders')), renders, 'four traffic ticks did not redraw the log');
  console.log(`# the log's rows rendered ${renders} times before the ping's 4 s of traffic ticks, and ${renders} after`);
  await screenshot(page, 'projector-traffic-1280.png');
});

test('9. cables leave from the sides that face each other; auto layout on measured sizes overlaps nothing', async () => {
  const { page } = lab!;
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('l');
  await settled(page);
  const boxes = await nodeBoxes(page);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlaps(boxes[i], boxes[j]), `nodes ${i} and ${j} do not overlap`);
  // Each cable's ends, on screen, against its nodes' sides.
  const ends = (await page.evaluate(`[...document.querySelectorAll('.react-flow__edge path.veth-track')].map((p) => {
    const m = p.getScreenCTM(); const a = p.getPointAtLength(0); const b = p.getPointAtLength(p.getTotalLength());
    const g = p.closest('.react-flow__edge');
    return { id: g.getAttribute('data-id'), a: { x: m.a * a.x + m.e, y: m.d * a.y + m.f }, b: { x: m.a * b.x + m.e, y: m.d * b.y + m.f } };
  })`)) as { id: string; a: { x: number; y: number }; b: { x: number; y: number } }[];
  assert.ok(ends.length >= 4);
  for (const e of ends) {
    const [na, nb] = e.id.split(' <-> ').map((s) => s.split(':')[0]);
    const ba = await box(page.locator(`.react-flow__node[data-id="${na}"]`));
    const bb = await box(page.locator(`.react-flow__node[data-id="${nb}"]`));
    const [left, right, leftEnd, rightEnd] = ba.x <= bb.x ? [ba, bb, e.a, e.b] : [bb, ba, e.b, e.a];
    if (right.x < left.x + left.width) continue;
    // Side by side: out of the left node's right side, into the right node's left side.
    const [l, r] = Math.abs(leftEnd.x - (left.x + left.width)) < Math.abs(rightEnd.x - (left.x + left.width)) ? [leftEnd, rightEnd] : [rightEnd, leftEnd];
    assert.ok(Math.abs(l.x - (left.x + left.width)) < 12, `${e.id}: leaves the left node by its right side`);
    assert.ok(Math.abs(r.x - right.x) < 12, `${e.id}: enters the right node by its left side`);
  }
});

test('10. Export shows the file first, to copy or download', async () => {
  const { page } = lab!;
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Export topology file (YAML)…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Topology file' });
  await dialog.waitFor();
  const text = await dialog.getByRole('textbox').inputValue();
  assert.match(text, /^name: projector/m);
  assert.match(text, /ns1:/);
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: /^Download/ }).click()]);
  assert.equal(download.suggestedFilename(), 'projector.yaml');
  const saved = path.join(files, 'saved.yaml');
  await download.saveAs(saved);
  assert.equal(await readFile(saved, 'utf8'), text, 'the download is what the preview showed');
  await screenshot(page, 'projector-export-1280.png');
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('11. the diagram as SVG and PNG', async () => {
  const { page } = lab!;
  for (const kind of ['SVG', 'PNG']) {
    await page.getByRole('button', { name: 'More actions' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: `Diagram as ${kind}` }).click()]);
    const file = path.join(files, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = await readFile(file);
    if (kind === 'PNG') {
      assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
      const width = bytes.readUInt32BE(16);
      assert.ok(width >= 1280, `a PNG large enough for a slide (${width} px wide)`);
    } else {
      const svg = bytes.toString('utf8');
      assert.match(svg, /^<svg/);
      for (const n of NODES) assert.ok(svg.includes(`>${n}<`), `the SVG shows ${n}`);
    }
  }
});

test('12. keyboard shortcuts, listed by ? in a help overlay', async () => {
  const { page } = lab!;
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  for (const words of ['Presentation mode', 'Add a namespace', 'Undo the last delete', 'Fit the whole lab']) assert.match(await help.innerText(), new RegExp(words));
  await screenshot(page, 'projector-help-1280.png');
  await page.keyboard.press('Escape');
  await until('the overlay closed', async () => (await help.count()) === 0);
  const count = await nodeCount(page);
  await page.keyboard.press('n');
  await until('N added a namespace', async () => (await nodeCount(page)) === count + 1);
  // Not while typing: an N in a field is a letter.
  await inspector(page).getByLabel('Namespace name').press('n');
  await page.waitForTimeout(500);
  assert.equal(await nodeCount(page), count + 1, 'a key typed in a field is not a shortcut');
});
