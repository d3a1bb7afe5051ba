/**
 * The teacher's page in Chromium (lab machines, real kernel): a class of 30
 * made from a lesson with the page's form; the grid shows 30 tiles; 30
 * student sockets each change their own lab and every tile follows within a
 * second; a student's step done shows as progress; then the class is deleted
 * from the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { alerts, newPage, openLab, screenshot, until, type BrowserLab } from './browser-fixture';
import { connect, type Recorder } from '../web/web-fixture';
import type { Ack } from '../../server/protocol';

const STUDENTS = 30;
let lab: BrowserLab | undefined;
const students: Recorder[] = [];

before(async () => {
  lab = await openLab({ realHost: false, viewport: { width: 1280, height: 720 } });
});

after(async () => {
  for (const s of students) s.close();
  await lab?.close();
});

test(`a class of ${STUDENTS} made from the teacher's page; every tile follows its lab within a second`, async () => {
  const { page, server } = lab!;
  await page.goto(server.adminUrl);
  await until('the teacher page to connect', async () => (await page.locator('.teacher-status').innerText()) === 'connected');
  const form = page.getByRole('form', { name: 'New class' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('c30');
  await form.getByRole('textbox', { name: /^Students/ }).fill(String(STUDENTS));
  await form.getByRole('combobox').selectOption('two-namespaces');
  await form.getByRole('button', { name: 'Create class' }).click();
  await until(`${STUDENTS} tiles (${await alerts(page)})`, async () => (await page.locator('.class-tile').count()) === STUDENTS, { timeoutMs: 300_000, everyMs: 500 });
  assert.match(await page.locator('.class-tile').first().innerText(), /step 1 of 5/);
  // Messages ("Class c30 is ready") stack up from the lower right corner, not over the first tiles' buttons.
  const toasts = (await page.locator('.toasts').boundingBox())!;
  assert.ok(toasts.x + toasts.width > 1280 - 40 && toasts.y + toasts.height > 720 - 40, `the toasts' corner is at ${JSON.stringify(toasts)} in 1280x720`);
  await screenshot(page, 'teacher-1280.png');

  const base = `http://127.0.0.1:${server.port}`;
  const names = await page.locator('.class-tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-lab') ?? ''));
  for (const name of names) students.push(await connect(`${base}/lab/${name}`, { auth: { token: server.registry.tokens(name).edit } }));

  // Each student adds a namespace; the page's clock says when each tile shows it.
  await page.evaluate(`(() => {
    window.seenAt = {};
    new MutationObserver(() => {
      for (const t of document.querySelectorAll('.class-tile')) {
        const lab = t.getAttribute('data-lab');
        if (!window.seenAt[lab] && t.querySelector('.mini-label')?.textContent === 'vnet0') window.seenAt[lab] = Date.now();
      }
    }).observe(document.querySelector('.class-grid'), { childList: true, subtree: true, characterData: true });
  })()`);
  const sentAt: Record<string, number> = {};
  await Promise.all(
    students.map(async (s, i) => {
      const a = (await (s.socket as Socket).timeout(60_000).emitWithAck('lab-edit', { op: 'add-node', kind: 'netns', name: 'vnet0' })) as Ack;
      assert.ok(a.ok, JSON.stringify(a));
      // The change is made when the edit is acknowledged: the student's own page shows it then.
      sentAt[names[i]] = Date.now();
    }),
  );
  const seenAt = await until('every tile to draw vnet0', async () => {
    const seen = (await page.evaluate('window.seenAt')) as Record<string, number>;
    return Object.keys(seen).length === STUDENTS ? seen : undefined;
  });
  const delays = names.map((n) => seenAt[n] - sentAt[n]).sort((a, b) => a - b);
  console.log(`# teacher page: ${STUDENTS} edits at once, each tile followed in median ${delays[delays.length >> 1]} ms, worst ${delays.at(-1)} ms (from each edit's acknowledgement, when the student's page shows it)`);
  assert.ok(delays.at(-1)! < 1000, `a tile followed ${delays.at(-1)} ms after its edit`);

  // Progress: one student's step 1 done ("show me" through their own socket).
  const shown = (await (students[0].socket as Socket).timeout(60_000).emitWithAck('lesson-show', { step: 0 })) as Ack;
  assert.ok(shown.ok, JSON.stringify(shown));
  const tile = page.locator(`.class-tile[data-lab="${names[0]}"]`);
  await until('the tile to show step 2', async () => /step 2 of 5/.test(await tile.innerText()), { timeoutMs: 5000, everyMs: 50 });
  await page.getByRole('button', { name: 'QR codes' }).click();
  await until('30 QR codes', async () => (await page.locator('.qr-card img').count()) === STUDENTS);
  await page.getByRole('button', { name: 'Hide QR codes' }).click();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'teacher-1920.png');
  await page.setViewportSize({ width: 1280, height: 720 });

  // The teacher shows their lab: a student's page offers it, framed read-only.
  await page.getByRole('button', { name: 'Show my lab to the class' }).click();
  const student = await newPage(lab!.browser, { width: 1280, height: 720 });
  await student.goto(server.labUrl(names[3]));
  await student.getByRole('button', { name: "Watch the teacher's lab" }).click();
  const framed = student.frameLocator('iframe[title="The teacher\'s lab (read-only)"]');
  await until("the teacher's lab in the frame, read-only", async () => /View-only link/.test(await framed.locator('body').innerText().catch(() => '')));
  // The teacher's lab is empty yet: the class is told so, not asked to add a namespace it cannot add.
  assert.match(await framed.locator('.canvas-empty').innerText(), /^This lab is empty/);
  await screenshot(student, 'student-watching-teacher-1280.png');
  await student.close();

  for (const s of students.splice(0)) s.close();
  await page.getByRole('button', { name: 'Delete class' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes' }).click();
  await until('the class to be gone', async () => (await page.locator('.class-tile').count()) === 0 && /No class yet/.test(await page.locator('.class-list').innerText()), { timeoutMs: 300_000, everyMs: 500 });
  assert.deepEqual(server.registry.names().filter((n) => n.startsWith('c30-')), []);
});
