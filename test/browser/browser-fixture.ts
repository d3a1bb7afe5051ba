/**
 * Shared by the browser tests: the real server (production Next.js build) on
 * 127.0.0.1 port 0 with its own data directory, Debian's Chromium driven by
 * playwright-core, kernel readers, and cleanup that runs also on failure.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/web/serve';
import { ipJson, ping as kernelPing } from '../support/kernel';
import { listProcesses } from '../../server/terminal/process-tree';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(REPO, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What playwright-core 1.65 disables in Chromium (its chromiumSwitches). A
 * second --disable-features replaces the first in Chromium, so the tests'
 * own list repeats these; launchChromium checks that none went missing.
 */
const PLAYWRIGHT_DISABLED_FEATURES = ['AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch', 'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion'];
/**
 * Chromium 156 renders its address bar's popup as a web page, in a renderer
 * of its own made at start, even headless: about 2 of the 5 CPU-seconds a
 * launch took here. No test has an address bar.
 */
const OMNIBOX_WEBUI_FEATURES = ['WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxPopup', 'OmniboxEverywhere', 'WebUILocationBar'];
/** The flags the guide names, and the features above off. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_WEBUI_FEATURES].join(',')}`];

/**
 * Debian's Chromium as every browser test and benchmark launches it. Throws
 * when playwright-core disables a feature the tests' own --disable-features
 * (which replaces its list) leaves out: after an upgrade, add it above.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const mark = `--vethlab-test-launch=${randomUUID()}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, mark] });
  const lists = launchedWith(mark)
    .filter((a) => a.startsWith('--disable-features='))
    .map((a) => a.slice('--disable-features='.length).split(','));
  const dropped = lists.slice(0, -1).flat().filter((f) => !lists.at(-1)?.includes(f));
  if (dropped.length > 0) {
    await browser.close();
    throw new Error(`playwright-core disables ${dropped.join(', ')} in Chromium, which the tests' --disable-features would turn back on: add them to PLAYWRIGHT_DISABLED_FEATURES in test/browser/browser-fixture.ts`);
  }
  return browser;
}

/** The argv of the Chromium browser process, a child of this one, started with `mark` among its flags. */
function launchedWith(mark: string): string[] {
  for (const { pid } of listProcesses().filter((p) => p.ppid === process.pid)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes(mark) && !argv.some((a) => a.startsWith('--type='))) return argv;
    } catch {
      // a process that ended while the list was read
    }
  }
  throw new Error(`the Chromium just launched (${mark}) is not among the processes`);
}

export { WAIT_MS } from '../support/wait';
const MAX_FRAMES = 40;
const MAX_FRAME_CHARS = 240;

export { ip, ipJson, tag } from '../support/kernel';
export { namespaceNames as netnsNames } from '../support/kernel';

export function hostHasLink(name: string): boolean {
  return ipJson<{ ifname: string }[]>('link', 'show').some((l) => l.ifname === name);
}

export interface IpAddrLink {
  ifname: string;
  flags: string[];
  operstate: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
}

/** Interfaces with addresses, in a namespace (or the root for undefined). */
export function addrShow(netns: string | undefined): IpAddrLink[] {
  return ipJson<IpAddrLink[]>(...(netns ? ['-n', netns] : []), '-details', 'addr', 'show');
}

export function prefixes(link: IpAddrLink): string[] {
  return (link.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
}

/** The kernel tests' `ping -c 3` (support/kernel.ts), resolving to its exit code and output instead of throwing. */
export async function ping(netns: string | undefined, address: string): Promise<{ code: number; output: string }> {
  try {
    return { code: 0, output: await kernelPing(netns, address) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

import { steady as steadyWait, until } from '../support/wait';
export { until, steady } from '../support/wait';

export interface BrowserLab {
  server: RunningServer;
  browser: Browser;
  page: Page;
  dataDir: string;
  /** Page errors and console errors, for failure messages. */
  problems: string[];
  /** The last socket.io messages, shortened, for failure messages. */
  frames: string[];
  close(): Promise<void>;
}

/**
 * Starts the server and opens its URL (with the token) in Chromium, connected. Real-host
 * mode unless `realHost: false`: most page tests check the real machine's kernel.
 */
export async function openLab(opts: { realHost?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserLab> {
  if (!existsSync(path.join(REPO, 'out', 'index.html'))) {
    throw new Error('the browser tests need the production build of the page: run "npm run build" first');
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vlb-data-'));
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir, quiet: true, realHost: opts.realHost ?? true });
    browser = await launchChromium();
    const page = await newPage(browser, opts.viewport ?? { width: 1440, height: 900 });
    const problems: string[] = [];
    const frames: string[] = [];
    const keep = (line: string) => {
      frames.push(line.slice(0, MAX_FRAME_CHARS));
      if (frames.length > MAX_FRAMES) frames.shift();
    };
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => keep(`< ${String(f.payload)}`));
      ws.on('framesent', (f) => keep(`> ${String(f.payload)}`));
      ws.on('close', () => keep('websocket closed'));
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    // Every test starts once the page has its socket: the buttons that edit are enabled then.
    await until('the page to connect', () => page.getByRole('button', { name: 'Add namespace', exact: true }).isEnabled());
    const s = server;
    const b = browser;
    return {
      server: s,
      browser: b,
      page,
      dataDir,
      problems,
      frames,
      async close() {
        await b.close().catch(() => {});
        await s.close().catch(() => {});
        // Lab machines go with the test; a real-host lab is destroyed by the test itself.
        if (opts.realHost === false) for (const name of s.registry.names()) await s.registry.delete(name).catch(() => {});
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A page as the tests open them: with reduced motion (the page honours the
 * setting), so a cable with traffic keeps its dashes still and the diagram
 * refits at once. Chromium renders in software here, where the moving dashes
 * cost about 0.4 CPU-seconds a second; live-terminal.test.ts checks they move
 * without the setting.
 */
export function newPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  return browser.newPage({ viewport, reducedMotion: 'reduce' });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

/** A node of the canvas by its name. */
export function canvasNode(page: Page, name: string) {
  return page.locator(`.react-flow__node[data-id="${name}"]`);
}

/** The centre of a node's connect handle, once the canvas has stopped moving (fit-view animates). */
async function handleCentre(page: Page, name: string): Promise<{ x: number; y: number }> {
  const handle = canvasNode(page, name).locator('.connect-handle');
  let last = '';
  return until(`${name}'s connect handle to stand still`, async () => {
    const b = await handle.boundingBox();
    if (!b) return undefined;
    const here = `${b.x},${b.y}`;
    const still = here === last;
    last = here;
    return still ? { x: b.x + b.width / 2, y: b.y + b.height / 2 } : undefined;
  }, { everyMs: 150 });
}

/** Drags from one node's connect handle to the other's, as a person draws a cable. */
export async function dragCable(page: Page, from: string, to: string): Promise<void> {
  const a = await handleCentre(page, from);
  const b = await handleCentre(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 20 });
  await page.mouse.up();
}

/** What the page shows as errors (toasts) right now, for assertion messages. */
export async function alerts(page: Page): Promise<string> {
  const texts = await page.locator('[role="alert"]').allTextContents().catch(() => []);
  return texts.join(' | ');
}

/** The visible rows of the terminal tab that is shown (what a person sees of it). */
export async function terminalText(page: Page): Promise<string> {
  const rows = page.locator('[role="tabpanel"]:not([hidden]) .xterm-rows');
  return (await rows.count()) === 0 ? '' : rows.innerText();
}

/**
 * Types `text` into the shown terminal: each line goes in as one input
 * event, as a paste or a phone keyboard sends it, through xterm's own input
 * handling; each newline is an Enter key. Typing key by key costs about 6 ms
 * of the machine's CPU a character here (a keydown, a keyup, an echo drawn)
 * against 0.3 for a line at once; lab-page.test.ts types key by key.
 */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('[role="tabpanel"]:not([hidden]) .xterm').click();
  for (const [i, line] of text.split('\n').entries()) {
    if (i > 0) await page.keyboard.press('Enter');
    if (line) await page.keyboard.insertText(line);
  }
}

/** The inspector panel. */
export function inspector(page: Page) {
  return page.getByRole('complementary', { name: 'Inspector' });
}

/**
 * Resizes the window as a teacher would (a projector, a zoom) and waits for
 * the diagram to refit: the page refits 150 ms after a resize, animated, and
 * a click or a screenshot during it lands on a moving diagram.
 */
export async function resize(page: Page, size: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(size);
  await page.waitForTimeout(200);
  await steadyDiagram(page);
}

/** Waits until the diagram stands still (a fit-view animates for 300 ms). */
export async function steadyDiagram(page: Page): Promise<void> {
  await steadyWait('the diagram to stand still', async () => String(await page.evaluate(`document.querySelector('.canvas .react-flow__viewport')?.getAttribute('style') ?? ''`)), { everyMs: 250 });
}
