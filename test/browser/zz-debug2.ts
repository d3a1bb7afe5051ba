import { openLab, until, alerts } from './browser-fixture';
const lab = await openLab();
const { page } = lab;
const frames: string[] = [];
page.on('websocket', (ws) => { frames.push('ws open ' + ws.url()); ws.on('framereceived', (f) => frames.push('< ' + String(f.payload).slice(0, 150))); ws.on('framesent', (f) => frames.push('> ' + String(f.payload).slice(0, 150))); ws.on('close', () => frames.push('ws close')); });
page.on('request', (r) => { if (r.url().includes('socket.io')) frames.push('http ' + r.method() + ' ' + r.url().slice(-60)); });
await page.reload();
await until('enabled', () => page.getByRole('button', { name: 'Add namespace', exact: true }).isEnabled());
for (let i = 0; i < 3; i++) {
  const n0 = await page.locator('.react-flow__node').count();
  await page.getByRole('button', { name: 'Add namespace', exact: true }).click();
  try { await until('node', async () => (await page.locator('.react-flow__node').count()) > n0, 5000); console.log('ok', i); }
  catch (e) { console.log('FAIL', i, await alerts(page)); break; }
}
console.log(frames.join('\n'));
console.log(lab.problems);
await lab.server.lab.destroy();
await lab.close();
