import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseFormat, preFormat } from './list-format.js';

test('format choice follows docker: default table, -q wins over custom formats', () => {
  const base = { defaultTable: 'table {{.ID}}\t{{.Names}}', headers: {} };
  assert.equal(chooseFormat({ ...base, format: '', quiet: false }), 'table {{.ID}}\t{{.Names}}');
  assert.equal(chooseFormat({ ...base, format: 'table', quiet: true }), '{{.ID}}');
  assert.equal(chooseFormat({ ...base, format: '{{.Names}}', quiet: true, quietFormat: '{{.Name}}' }), '{{.Name}}');
  assert.equal(chooseFormat({ ...base, format: '{{.Names}}', quiet: false }), '{{.Names}}');
});

test('preFormat strips table, maps json, unescapes \\t and \\n', () => {
  assert.deepEqual(preFormat('table {{.ID}}\\t{{.Image}}'), { template: '{{.ID}}\t{{.Image}}', table: true });
  assert.deepEqual(preFormat('json'), { template: '{{json .}}', table: false });
  assert.deepEqual(preFormat('{{.ID}}\\n'), { template: '{{.ID}}\n', table: false });
});
