import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUpdateBody, planUpdate } from './container-update.js';

const MiB = 1024 * 1024;

test('memory: the limit and (unset swap) twice it for memsw; an explicit swap stays and must stay above', () => {
  assert.deepEqual(planUpdate({ Memory: 64 * MiB }, { Memory: 128 * MiB }, { swapAccounting: true }).resources, { memory: 128 * MiB, memorySwap: 256 * MiB });
  assert.deepEqual(planUpdate({ Memory: 64 * MiB, MemorySwap: 512 * MiB }, { Memory: 128 * MiB }, { swapAccounting: true }).resources, { memory: 128 * MiB });
  assert.throws(() => planUpdate({ MemorySwap: 100 * MiB }, { Memory: 128 * MiB }, { swapAccounting: true }), /update the memoryswap at the same time/);
  assert.deepEqual(planUpdate({}, { Memory: 128 * MiB }, { swapAccounting: false }).resources, { memory: 128 * MiB });
  assert.throws(() => planUpdate({}, { Memory: 1024 }, { swapAccounting: true }), /Minimum memory limit allowed is 6MB/);
  const p = planUpdate({ Memory: 64 * MiB }, { Memory: 128 * MiB, MemorySwap: -1 }, { swapAccounting: true });
  assert.deepEqual(p.resources, { memory: 128 * MiB, memorySwap: -1 });
  assert.equal(p.hostConfig.MemorySwap, -1);
});

test('cpus become a quota over a 100 ms period; --cpus with a period or quota conflicts; pids -1 lifts the limit', () => {
  assert.deepEqual(planUpdate({}, { NanoCpus: 500_000_000 }, { swapAccounting: true }).resources, { cpuPeriod: 100_000, cpuQuota: 50_000 });
  assert.throws(() => planUpdate({}, { NanoCpus: 1e9, CpuPeriod: 50_000 }, { swapAccounting: true }), /Nano CPUs and CPU Period cannot both be set/);
  assert.deepEqual(planUpdate({ PidsLimit: 10 }, { PidsLimit: -1 }, { swapAccounting: true }).resources, { pidsLimit: -1 });
  assert.deepEqual(planUpdate({ PidsLimit: 10 }, { PidsLimit: 0 }, { swapAccounting: true }), { hostConfig: { PidsLimit: 10 }, resources: {} });
});

test('restart policy: stored, checked, refused for an --rm container', () => {
  assert.deepEqual(planUpdate({}, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }, { swapAccounting: true }).hostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.throws(() => planUpdate({ AutoRemove: true }, { RestartPolicy: { Name: 'always' } }, { swapAccounting: true }), /AutoRemove is enabled/);
  assert.throws(() => planUpdate({}, { RestartPolicy: { Name: 'bogus' } }, { swapAccounting: true }), /invalid restart policy/);
});

test('bodies of the wrong shape are refused in the Go decoder\'s words', () => {
  assert.throws(() => checkUpdateBody([]), /non-object/);
  assert.throws(() => checkUpdateBody({ Memory: '1g' }), /UpdateConfig.Memory of type int64/);
  assert.throws(() => checkUpdateBody({ CpusetCpus: 1 }), /CpusetCpus of type string/);
  assert.deepEqual(checkUpdateBody({ Memory: 1 }), { Memory: 1 });
});
