import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthMonitor, MAX_OUTPUT_BYTES, MAX_TICK_MS, ProbeTicks, goDuration, probeSlot, applyProbe, capOutput, effectiveCheck, initialHealth, validateHealthcheck, type HealthState } from './health-check.js';

const S = 1e9;

test('the effective check: CMD and CMD-SHELL, NONE and empty disable, Docker\'s defaults', () => {
  assert.equal(effectiveCheck(undefined), null);
  assert.equal(effectiveCheck({ Test: ['NONE'] }), null);
  assert.equal(effectiveCheck({ Test: [] }), null);
  assert.deepEqual(effectiveCheck({ Test: ['CMD-SHELL', 'curl -f localhost || exit 1'] }), {
    cmd: ['/bin/sh', '-c', 'curl -f localhost || exit 1'],
    intervalMs: 30_000,
    timeoutMs: 30_000,
    startPeriodMs: 0,
    startIntervalMs: 5_000,
    retries: 3,
  });
  const c = effectiveCheck({ Test: ['CMD', 'true', 'x'], Interval: 2 * S, Timeout: 0.5 * S, StartPeriod: 10 * S, Retries: 1 })!;
  assert.deepEqual([c.cmd, c.intervalMs, c.timeoutMs, c.startPeriodMs, c.retries], [['true', 'x'], 2000, 500, 10_000, 1]);
});

test('validation in Docker\'s words: durations of at least 1 ms, retries not negative', () => {
  validateHealthcheck({ Test: ['CMD', 'true'], Interval: 0, Timeout: 1e6 });
  assert.throws(() => validateHealthcheck({ Interval: 999 }), /Interval in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthcheck({ Timeout: 5 }), /Timeout in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthcheck({ StartPeriod: 5 }), /StartPeriod in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthcheck({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
});

test('probe results: success is healthy, retries failures in a row unhealthy, the start period forgives, five entries kept', () => {
  const check = effectiveCheck({ Test: ['CMD', 'x'], Retries: 2 })!;
  const at = (n: number) => new Date(1_700_000_000_000 + n * 1000);
  const probe = (s: HealthState, code: number, n: number, start = false) => applyProbe(s, { start: at(n), end: at(n), exitCode: code, output: `run ${n}` }, check, start);
  let s = initialHealth();
  s = probe(s, 1, 1, true);
  assert.deepEqual([s.Status, s.FailingStreak], ['starting', 0], 'failures in the start period do not count');
  s = probe(s, 1, 2);
  assert.deepEqual([s.Status, s.FailingStreak], ['starting', 1]);
  s = probe(s, 1, 3);
  assert.deepEqual([s.Status, s.FailingStreak], ['unhealthy', 2]);
  s = probe(s, 0, 4);
  assert.deepEqual([s.Status, s.FailingStreak], ['healthy', 0]);
  for (let i = 5; i < 12; i++) s = probe(s, 0, i);
  assert.equal(s.Log.length, 5);
  assert.equal(s.Log[4]!.Output, 'run 11');
  assert.equal(s.Log[0]!.Output, 'run 7');
});

test('outputs are cut to 4 KiB without splitting a character', () => {
  assert.equal(capOutput('short'), 'short');
  assert.equal(capOutput('x'.repeat(MAX_OUTPUT_BYTES)), 'x'.repeat(MAX_OUTPUT_BYTES), 'exactly the limit is not cut');
  assert.equal(capOutput('x'.repeat(MAX_OUTPUT_BYTES + 1)), 'x'.repeat(MAX_OUTPUT_BYTES) + '...');
  const cut = capOutput('é'.repeat(3000));
  assert.ok(cut.endsWith('...'));
  assert.ok(Buffer.byteLength(cut) <= MAX_OUTPUT_BYTES + 3);
  assert.doesNotMatch(cut, /\uFFFD/);
});

test('the monitor probes at the interval, reports changes, never overlaps probes, and stops when told', async () => {
  const calls: number[] = [];
  const updates: Array<[string, boolean]> = [];
  let running = 0;
  let maxRunning = 0;
  const m = new HealthMonitor({
    async probe() {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(Date.now());
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return { exitCode: calls.length >= 3 ? 1 : 0, output: '' };
    },
    update: (_id, h, changed) => updates.push([h.Status, changed]),
    log: { debug() {} },
  });
  m.watch('c1', effectiveCheck({ Test: ['CMD', 'x'], Interval: 0.02 * S, Retries: 1 })!, new Date(), initialHealth());
  await new Promise((r) => setTimeout(r, 400));
  m.unwatch('c1');
  const n = calls.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls.length, n, 'no probe after unwatch');
  assert.equal(maxRunning, 1);
  assert.deepEqual(updates.slice(0, 3), [['healthy', true], ['healthy', false], ['unhealthy', true]]);
});

test('timeouts are worded as Go prints durations', () => {
  assert.deepEqual([goDuration(500), goDuration(1000), goDuration(30_000), goDuration(90_000), goDuration(120_000)], ['500ms', '1s', '30s', '1m30s', '2m0s']);
});

test('probes start on shared ticks: the nearer multiple of a tenth of the delay (at most 100 ms), never at once', () => {
  const now = 1_700_000_000_037;
  // 1 s interval: ticks of 100 ms, half a tick early or late at most.
  assert.equal(probeSlot(now, 1000), 1_700_000_001_000);
  assert.equal(probeSlot(now + 20, 1000), 1_700_000_001_100);
  for (let t = 0; t < 1000; t += 7) {
    const s = probeSlot(now + t, 1000);
    assert.equal(s % MAX_TICK_MS, 0);
    assert.ok(Math.abs(s - (now + t + 1000)) <= MAX_TICK_MS / 2);
  }
  // 30 s: still 100 ms ticks; 200 ms: 20 ms ticks; 5 ms: 1 ms ticks (exact).
  assert.equal(probeSlot(now, 30_000) % 100, 0);
  assert.equal(probeSlot(now, 200) % 20, 0);
  assert.equal(probeSlot(now, 5), now + 5);
  // A delay of 1 ms still runs later, not now.
  assert.ok(probeSlot(now, 1) > now);
});

test('probes due on the same tick share one timer; a cancelled probe does not run, an emptied tick goes', async () => {
  const ticks = new ProbeTicks();
  const ran: string[] = [];
  // 40 ms delays: 4 ms ticks. Two probes asked for within the same millisecond land on the same one.
  let cancelB = () => {};
  for (;;) {
    const t0 = Date.now();
    ticks.at(40, () => ran.push('a'));
    cancelB = ticks.at(40, () => ran.push('b'));
    ticks.at(40, () => ran.push('c'));
    if (Date.now() === t0) break;
    await new Promise((r) => setTimeout(r, 60)); // crossed a millisecond: let these run and try again
    ran.length = 0;
  }
  assert.equal(ticks.pending, 1, 'three probes, one timer');
  cancelB();
  const cancelD = ticks.at(400, () => ran.push('d'));
  assert.equal(ticks.pending, 2);
  cancelD();
  assert.equal(ticks.pending, 1, 'a tick with nothing left on it is dropped');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(ran.sort(), ['a', 'c']);
  assert.equal(ticks.pending, 0);
});
