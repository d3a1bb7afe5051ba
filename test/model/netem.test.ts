/** netem units, ranges, tc words and what tc reports: pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRate, formatTime, netemArgs, netemFromTc, netemLabel, parseNetem, sameNetem } from '../../server/model/netem';

test('units read as the tutorials write them', () => {
  const { spec, errors } = parseNetem({ delay: '50ms', jitter: '500us', loss: '1%', rate: '10mbit', duplicate: 0.1, corrupt: '0.1%', reorder: '25%' });
  assert.deepEqual(errors, []);
  assert.deepEqual(spec, { delay: 50, jitter: 0.5, loss: 1, rate: 10_000_000, duplicate: 0.1, corrupt: 0.1, reorder: 25 });
  assert.deepEqual(netemArgs(spec), ['delay', '50ms', '500us', 'loss', '1%', 'duplicate', '0.1%', 'corrupt', '0.1%', 'reorder', '25%', 'rate', '10mbit']);
  assert.equal(netemLabel(spec), '50 ms ±0.5, 1% loss, 10 Mbit/s, 0.1% dup, 0.1% corrupt, 25% reorder');
  assert.equal(parseNetem({ delay: '1s' }).spec.delay, 1000);
  assert.deepEqual(parseNetem({ loss: '0%' }).spec, {}, 'zero is no impairment');
});

test('bad values name the field and the value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ delay: '50' }, /^delay "50" must be a time such as 50ms/],
    [{ delay: '50 parsecs' }, /^delay "50 parsecs" must be a time/],
    [{ delay: '61s' }, /^delay "61s" must be from 0 to 60s/],
    [{ loss: '101%' }, /^loss "101%" must be a percentage from 0% to 100%/],
    [{ loss: -1 }, /^loss -1 must be a percentage from 0% to 100%/],
    [{ rate: '10mbps' }, /^rate "10mbps" must be a rate such as 10mbit/],
    [{ rate: '1bit' }, /^rate "1bit" must be from 8kbit/],
    [{ jitter: '5ms' }, /^jitter 5ms needs a delay/],
    [{ reorder: '5%' }, /^reorder 5% needs a delay/],
  ];
  for (const [raw, message] of cases) {
    const { errors } = parseNetem(raw);
    assert.equal(errors.length, 1, JSON.stringify(raw));
    assert.match(errors[0].message, message);
  }
});

test('what tc -j reports (seconds, fractions, bytes per second) reads back equal to what was asked', () => {
  const asked = parseNetem({ delay: '50ms', jitter: '5ms', loss: '1%', rate: '10mbit', duplicate: '0.1%' }).spec;
  const read = netemFromTc({ delay: { delay: 0.05, jitter: 0.005 }, 'loss-random': { loss: 0.00999999977648258 }, duplicate: { duplicate: 0.0010000000474974513 }, rate: { rate: 1250000 } });
  assert.ok(sameNetem(asked, read), JSON.stringify(read));
  assert.ok(!sameNetem(asked, { ...read, delay: 60 }));
  assert.ok(sameNetem(null, {}), 'no netem and an empty one are the same');
  assert.equal(formatTime(0.25), '250us');
  assert.equal(formatRate(512_000), '512kbit');
});
