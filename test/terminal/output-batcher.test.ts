import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTPUT_BATCH_MAX_CHARS, OUTPUT_BATCH_MS, OutputBatcher } from '../../server/terminal/output-batcher';
import { sleep } from './lab-fixture';
import { until } from '../support/wait';

test('output is merged for a few milliseconds', async () => {
  const sent: string[] = [];
  const b = new OutputBatcher((d) => sent.push(d));
  b.push('a');
  b.push('b');
  assert.deepEqual(sent, []);
  await until('the batch to go', () => sent.length === 1, { timeoutMs: OUTPUT_BATCH_MS + 500, everyMs: 1 });
  assert.deepEqual(sent, ['ab']);
  b.dispose();
});

test('the first output after input goes at once, the rest is batched again', async () => {
  const sent: string[] = [];
  const b = new OutputBatcher((d) => sent.push(d));
  b.push('before');
  b.flushForInput();
  assert.deepEqual(sent, ['before']);
  b.push('echo');
  assert.deepEqual(sent, ['before', 'echo']);
  b.push('x');
  b.push('y');
  assert.equal(sent.length, 2);
  await until('the batch to go', () => sent.length === 3, { timeoutMs: OUTPUT_BATCH_MS + 500, everyMs: 1 });
  assert.deepEqual(sent, ['before', 'echo', 'xy']);
  b.dispose();
});

test('a full batch is sent early; drop forgets the pending one', async () => {
  const sent: string[] = [];
  const b = new OutputBatcher((d) => sent.push(d));
  b.push('z'.repeat(OUTPUT_BATCH_MAX_CHARS));
  assert.equal(sent.length, 1);
  b.push('lost');
  b.drop();
  // Nothing to wait for: a dropped batch must not arrive within its time.
  await sleep(OUTPUT_BATCH_MS + 20);
  assert.equal(sent.length, 1);
  b.dispose();
});
