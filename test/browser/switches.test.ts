/**
 * A switch in the browser, in a lab machine (real server, real kernel,
 * Debian Chromium): add a switch and three namespaces from the toolbar, cable
 * them by dragging, give each cable addresses in one click, ping across the
 * switch in a terminal, and read the switch's MAC table in the inspector.
 * Then the cable's impairments: with sch_netem a 50 ms delay shows on the
 * label and in the ping's RTT; without it the inspector says why it cannot.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { alerts, dragCable, openLab, screenshot, steadyDiagram, terminalText, typeInTerminal, until, type BrowserLab, resize } from './browser-fixture';
import { runIn } from '../machine/machine-fixture';
import { realMachine } from '../machine/machine-fixture';
import { kernelCapabilities } from '../../server/kernel/capabilities';

let lab: BrowserLab | undefined;
let realBefore: string;

before(async () => {
  realBefore = realMachine();
  lab = await openLab({ realHost: false, viewport: { width: 1280, height: 720 } });
});

after(async () => {
  await lab?.close();
  assert.equal(realMachine(), realBefore, "the real machine's network is as it was");
});

const node = (page: Page, name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
const inspector = (page: Page) => page.getByRole('complementary', { name: 'Inspector' });
const nodeIds = (page: Page) => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));

async function add(page: Page, what: 'namespace' | 'switch'): Promise<string> {
  const before = new Set(await nodeIds(page));
  await page.getByRole('button', { name: `Add ${what}`, exact: true }).click();
  return until(`a new ${what} on the canvas (${await alerts(page)})`, async () => (await nodeIds(page)).find((id) => !before.has(id)));
}

async function connect(page: Page, from: string, to: string): Promise<void> {
  const edges = await page.locator('.react-flow__edge').count();
  await dragCable(page, from, to);
  await until(`the cable ${from} - ${to} (${await alerts(page)})`, async () => (await page.locator('.react-flow__edge').count()) === edges + 1);
}

/** The lab as the kernel has it, read by the server. */
async function kernel() {
  return (await lab!.server.lab.observe()).topology;
}

function withFailureShot(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (e) {
      if (lab) {
        await screenshot(lab.page, `browser-failed-${name}.png`).catch(() => {});
        (e as Error).message += `\npage problems:\n${lab.problems.join('\n')}\nlast socket messages:\n${lab.frames.join('\n')}`;
      }
      throw e;
    }
  };
}

let namespaces: string[] = [];

test(
  'a switch and three namespaces from the toolbar, cabled, addressed in one click each; a ping crosses the switch',
  withFailureShot('switch-lan', async () => {
    const { page } = lab!;
    const sw = await add(page, 'switch');
    assert.equal(sw, 'br0', 'switches are named as the tutorials name them');
    namespaces = [await add(page, 'namespace'), await add(page, 'namespace'), await add(page, 'namespace')];
    for (const ns of namespaces) await connect(page, ns, sw);
    const t = await kernel();
    assert.equal(t.nodes.br0.kind, 'bridge');
    assert.equal(Object.keys(t.nodes.br0.interfaces).length, 4, 'the bridge and its three ports');

    const labels = page.locator('.veth-label');
    for (let i = 0; i < 3; i++) {
      await labels.nth(i).click();
      await inspector(page).getByRole('button', { name: 'Give addresses' }).click();
      await until(`addresses on cable ${i + 1} (${await alerts(page)})`, async () => {
        const k = await kernel();
        return namespaces.filter((ns) => Object.values(k.nodes[ns].interfaces).some((s) => s.addresses.length > 0)).length === i + 1;
      });
    }
    const k = await kernel();
    const addressOf = (ns: string) => Object.values(k.nodes[ns].interfaces).flatMap((s) => s.addresses)[0];
    assert.deepEqual(namespaces.map(addressOf).sort(), ['10.0.1.1/24', '10.0.1.2/24', '10.0.1.3/24'], 'one LAN on the switch');
    await until('the log to show the ip addr add command', async () => (await page.getByRole('list', { name: 'Command log' }).getByText(/ip -n ns\d addr add 10\.0\.1\.3\/24 dev veth\d/).count()) > 0);

    // As a teacher would before showing it: the switch beside its three namespaces.
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Auto layout' }).click();
    // The layout moves the nodes (and refits): a double-click while they move can miss.
    await steadyDiagram(page);
    const [first, , last] = namespaces;
    await node(page, first).dblclick();
    await until(`a shell in ${first}`, async () => /#\s*$/m.test(await terminalText(page)));
    await typeInTerminal(page, `ping -c 3 -i 0.2 ${addressOf(last).split('/')[0]}\n`);
    await until('the ping across the switch to get 0% loss', async () => /3 received, 0% packet loss/.test(await terminalText(page)));

    await node(page, 'br0').locator('.lab-node-header').click();
    const table = inspector(page).getByRole('table', { name: 'MAC table of br0' });
    const macs = [first, last].map((ns) => Object.values(k.nodes[ns].interfaces).find((s) => s.kind === 'veth')!.mac!);
    await until('both MACs in the MAC table', async () => {
      const text = (await table.count()) > 0 ? await table.innerText() : '';
      return macs.every((m) => text.includes(m));
    });
    await screenshot(page, 'switch-lan-1280.png');
    await resize(page, { width: 1920, height: 1080 });
    await screenshot(page, 'switch-lan-1920.png');
    await resize(page, { width: 1280, height: 720 });
  }),
);

test(
  'a delay on a cable from the inspector: on the label and in the RTT (or, without netem, a reason instead of the settings)',
  withFailureShot('switch-netem', async () => {
    const { page } = lab!;
    const [first, , last] = namespaces;
    await page.locator('.veth-label').first().click();
    const section = inspector(page).getByRole('region', { name: 'Impairments' }).or(inspector(page).locator('section[aria-label="Impairments"]'));
    await section.first().waitFor();
    if (!(await kernelCapabilities()).netem) {
      await until('the reason netem is missing', async () => /no netem \(the sch_netem module\)/.test(await section.first().innerText()));
      assert.equal(await section.first().getByRole('button', { name: 'Apply impairments' }).isDisabled(), true);
      await section.first().scrollIntoViewIfNeeded();
      await screenshot(page, 'switch-no-netem.png');
      return;
    }
    const rtt = async () => {
      const k = await kernel();
      const target = Object.values(k.nodes[last].interfaces).flatMap((s) => s.addresses)[0].split('/')[0];
      const r = await runIn(lab!.server.lab, first, ['ping', '-c', '3', '-i', '0.2', '-W', '2', target]);
      return Number(/= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1]);
    };
    const before = await rtt();
    await section.first().getByLabel('Delay (ms)').fill('50');
    await section.first().getByRole('button', { name: 'Apply impairments' }).click();
    await until('the label to show the delay', async () => (await page.locator('.veth-netem').allTextContents()).some((t) => t.includes('50 ms')));
    const after = await rtt();
    assert.ok(after - before >= 80, `RTT ${before} ms -> ${after} ms`);
  }),
);
