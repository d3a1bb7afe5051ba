/**
 * A lesson in the browser (a lab machine, Debian Chromium): seed 004's
 * lesson started from the Lessons menu, its commands typed in the host
 * node's terminal (the last block with its ▶ button); each step ticks within
 * a second of its command. Then a bad lesson file loaded by a teacher is
 * refused with the field and the value, and the lesson stays.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { alerts, ARTIFACTS, openLab, screenshot, terminalText, typeInTerminal, until, type BrowserLab, resize } from './browser-fixture';
import { loadLesson } from '../../server/lessons/lesson-library';

let lab: BrowserLab | undefined;

before(async () => {
  lab = await openLab({ realHost: false, viewport: { width: 1280, height: 720 } });
});

after(async () => {
  await lab?.close();
});

const stepMark = (page: Page, i: number) => page.locator(`.lesson-step[data-step="${i}"] .lesson-step-mark`);


test("seed 004's lesson: commands typed in the host node's terminal tick each step within a second", async () => {
  const { page } = lab!;
  const lesson = loadLesson('two-namespaces');
  assert.ok(lesson.ok);
  await page.getByRole('button', { name: 'Lessons ▾' }).click();
  await page.locator('[data-lesson="two-namespaces"]').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start lesson' }).click();
  const panel = page.getByRole('complementary', { name: 'Lesson' });
  await until(`the lesson panel (${await alerts(page)})`, async () => /Step 1 of 5/.test(await panel.innerText().catch(() => '')));
  await screenshot(page, 'lesson-start-1280.png');

  // At 1280 px the toolbar's Lab terminal button is folded into the ⋯ menu: the empty lab's note offers it where the student looks.
  assert.match(await page.locator('.canvas-empty').innerText(), /^Type the lesson's commands in the Lab terminal/);
  await page.locator('.canvas-empty').getByRole('button', { name: 'Open the Lab terminal' }).click();
  await until('the lab machine prompt', async () => /host#/.test(await terminalText(page)));
  const latencies: number[] = [];
  let clickMs = 0;
  for (const [i, step] of lesson.lesson.steps.entries()) {
    assert.match(await stepMark(page, i).getAttribute('aria-label') ?? '', /current step/, `step ${i + 1} is current`);
    let t0: number;
    if (i < lesson.lesson.steps.length - 1) {
      await typeInTerminal(page, `${step.commands[0].text}\n`);
      t0 = Date.now();
    } else {
      // The last block by its button, as a student with a mouse would. The clock starts at the click, not while
      // Playwright waits for the step's new button to be in view and still (a busy machine draws it late).
      const reached = Date.now();
      await page.locator(`.lesson-step[data-step="${i}"] .lesson-type`).click();
      t0 = Date.now();
      clickMs = t0 - reached;
    }
    await until(`step ${i + 1} to tick`, async () => (await stepMark(page, i).getAttribute('aria-label')) === 'done', { timeoutMs: 15_000, everyMs: 20 });
    latencies.push(Date.now() - t0);
  }
  console.log(`# lesson ticks after each step's command: ${latencies.map((ms) => `${ms} ms`).join(', ')} (the last step's ▶ took ${clickMs} ms to click)`);
  for (const [i, ms] of latencies.entries()) assert.ok(ms < 1000, `step ${i + 1} ticked ${ms} ms after its command`);
  await until('the panel to say all done', async () => /All steps done/.test(await panel.innerText()));
  assert.match(await page.locator('.side-tab-count').innerText(), /5\/5/);
  await screenshot(page, 'lesson-done-1280.png');
  await resize(page, { width: 1920, height: 1080 });
  await screenshot(page, 'lesson-done-1920.png');
  await resize(page, { width: 1280, height: 720 });
});

test("a teacher's bad lesson file is refused with the field and the value; the lesson stays", async () => {
  const { page } = lab!;
  const file = path.join(ARTIFACTS, 'bad-lesson.md');
  writeFileSync(file, '---\ntitle: Mine\ngoal: Something\n---\n## One\n```check\n- interface: vnet0:veth0\n  address: 10.0.1.0/33\n```\n```show\nname: x\nnodes:\n  vnet0: {}\n```\n');
  await page.getByRole('button', { name: 'Lessons ▾' }).click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('menuitem', { name: /Open a lesson file/ }).click()]);
  await chooser.setFiles(file);
  await page.getByRole('dialog').getByRole('button', { name: 'Start lesson' }).click();
  await until('the error', async () => /steps\[0\]\.checks\[0\]\.address: line 6: "10\.0\.1\.0\/33" is not an address with a prefix length/.test(await alerts(page)));
  assert.match(await page.getByRole('complementary', { name: 'Lesson' }).innerText(), /Two namespaces and a cable/);
});
