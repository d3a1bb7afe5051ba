/** Where labs keep their state (pure, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DATA_DIR, dataDirFrom } from '../../server/engine/lab-store';

test('an empty --data-dir or $VETHLAB_DATA_DIR is unset, never the working directory', () => {
  const saved = process.env.VETHLAB_DATA_DIR;
  try {
    process.env.VETHLAB_DATA_DIR = '';
    assert.equal(dataDirFrom(undefined), DEFAULT_DATA_DIR);
    assert.equal(dataDirFrom(''), DEFAULT_DATA_DIR);
    process.env.VETHLAB_DATA_DIR = '/srv/labs';
    assert.equal(dataDirFrom(undefined), '/srv/labs');
    assert.equal(dataDirFrom('/x'), '/x');
  } finally {
    if (saved === undefined) delete process.env.VETHLAB_DATA_DIR;
    else process.env.VETHLAB_DATA_DIR = saved;
  }
});
