// The bench's statistics and its README writer: medians of even/odd samples, the table layout, and
// that only the text between the markers changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, percentile } from './stats.js';
import { renderTable, writeReadmeTable, README_START, README_END } from './report.js';

test('median and percentile interpolate between ranks', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9.1);
  assert.ok(Number.isNaN(median([])));
});

test('renderTable prints units, dashes for missing values and the ratio', () => {
  const t = renderTable([{ metric: 'run --rm (median)', berthd: 100, dockerd: 400, runc: 25, ratio: 0.25 }, { metric: 'memory idle: daemon RSS', berthd: 50.25 }], { 'memory idle: daemon RSS': 'MB' });
  const lines = t.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2]!, /\| run --rm \(median\)\s+\|\s+100 ms \|\s+400 ms \|\s+25 ms \|\s+0\.25× \|/);
  assert.match(lines[3]!, /50\.3 MB \|\s+— \|\s+— \|\s+— \|$/);
});

test('writeReadmeTable replaces only the text between the markers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-readme-'));
  try {
    const file = path.join(dir, 'README.md');
    fs.writeFileSync(file, `# x\nbefore\n${README_START}\nold\n${README_END}\nafter\n`);
    assert.equal(writeReadmeTable(file, 'new table'), true);
    assert.equal(fs.readFileSync(file, 'utf8'), `# x\nbefore\n${README_START}\nnew table\n${README_END}\nafter\n`);
    fs.writeFileSync(file, 'no markers\n');
    assert.equal(writeReadmeTable(file, 'x'), false);
    assert.equal(fs.readFileSync(file, 'utf8'), 'no markers\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
