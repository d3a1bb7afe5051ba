import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckFlowControl, HIGH_WATERMARK_CHARS, LOW_WATERMARK_CHARS } from '../../server/terminal/flow-control';

function recorder() {
  const calls: string[] = [];
  const flow = new AckFlowControl(() => calls.push('pause'), () => calls.push('resume'));
  return { flow, calls };
}

test('pauses above the high watermark and resumes below the low one', () => {
  const { flow, calls } = recorder();
  flow.attach('a');
  flow.sent(HIGH_WATERMARK_CHARS);
  assert.deepEqual(calls, [], 'at the mark, not above it');
  flow.sent(1);
  assert.deepEqual(calls, ['pause']);
  flow.ack('a', HIGH_WATERMARK_CHARS + 1 - LOW_WATERMARK_CHARS);
  assert.equal(flow.paused, true, 'at the low mark, not below it');
  flow.ack('a', 1);
  assert.deepEqual(calls, ['pause', 'resume']);
  assert.equal(flow.unacknowledged('a'), LOW_WATERMARK_CHARS - 1);
});

test('the slowest client decides; detaching it resumes', () => {
  const { flow, calls } = recorder();
  flow.attach('fast');
  flow.attach('slow');
  flow.sent(HIGH_WATERMARK_CHARS + 10);
  flow.ack('fast', HIGH_WATERMARK_CHARS + 10);
  assert.equal(flow.paused, true);
  flow.detach('slow');
  assert.deepEqual(calls, ['pause', 'resume']);
  assert.deepEqual(flow.clients(), ['fast']);
});

test('without clients nothing is counted; acknowledgements never go below zero', () => {
  const { flow, calls } = recorder();
  flow.sent(10 * HIGH_WATERMARK_CHARS);
  flow.attach('late');
  assert.equal(flow.unacknowledged('late'), 0);
  flow.ack('late', 1000);
  flow.ack('unknown', 1000);
  flow.ack('late', NaN);
  flow.ack('late', -5);
  assert.equal(flow.unacknowledged('late'), 0);
  flow.sent(HIGH_WATERMARK_CHARS + 1);
  assert.deepEqual(calls, ['pause']);
});

test('forgive resets every client and resumes', () => {
  const { flow, calls } = recorder();
  flow.attach('a');
  flow.attach('b');
  flow.sent(2 * HIGH_WATERMARK_CHARS);
  flow.forgive();
  assert.deepEqual(calls, ['pause', 'resume']);
  assert.equal(flow.unacknowledged('a'), 0);
  assert.equal(flow.unacknowledged('b'), 0);
});
