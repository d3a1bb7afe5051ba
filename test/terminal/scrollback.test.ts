import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scrollback } from '../../server/terminal/scrollback';

test('keeps everything below the bound', () => {
  const s = new Scrollback(100);
  s.append('hello ');
  s.append('world');
  assert.equal(s.text(), 'hello world');
  assert.equal(s.length, 11);
});

test('drops the oldest output, cutting at a line start when one is near', () => {
  const s = new Scrollback(20);
  s.append('line one\n');
  s.append('line two\n');
  s.append('line three\n');
  assert.equal(s.text(), 'line two\nline three\n');
  s.append('four\n');
  assert.equal(s.text(), 'line three\nfour\n');
  for (let i = 0; i < 100; i++) s.append(`${i}\n`);
  assert.ok(s.length <= 20);
  assert.equal(s.text(), s.text().split('\n').filter(Boolean).map((l) => `${l}\n`).join(''));
  assert.ok(s.text().endsWith('99\n'));
});

test('cuts exactly when there is no line break, never inside a surrogate pair', () => {
  const s = new Scrollback(5);
  s.append('abcdefgh');
  assert.equal(s.text(), 'defgh');
  s.clear();
  s.append('a😀cdef'); // 7 UTF-16 units; cutting two would split the emoji
  assert.equal(s.text(), 'cdef');
});
