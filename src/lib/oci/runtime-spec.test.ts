// Unit tests of the OCI runtime spec builder, including validation against the OCI config schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OCI_SCHEMAS } from '../../../test/harness/oci-schemas.js';
import { createRequire } from 'node:module';
import type { SpecInput } from './spec-input.js';
import {
  buildRuntimeSpec,
  DEFAULT_CAPABILITIES,
  ALL_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  effectiveCapabilities,
  normalizeCapability,
  rlimitType,
} from './runtime-spec.js';

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    rootfs: '/var/lib/berth/overlay/abc/merged',
    readonlyRootfs: false,
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    hostname: 'abc',
    mounts: [],
    privileged: false,
    capAdd: [],
    capDrop: [],
    network: { mode: 'none' },
    resources: {},
    cgroupsPath: '/berth/abc',
    ulimits: [],
    hostHardLimits: { RLIMIT_NOFILE: 20000, RLIMIT_NPROC: 96365, RLIMIT_CORE: Infinity },
    sysctls: {},
    shmSize: 64 * 1024 * 1024,
    noNewPrivileges: false,
    ...over,
  };
}

// ajv and ajv-draft-04 are CommonJS; load them the CommonJS way so their default exports line up.
const require = createRequire(import.meta.url);
// The same lookup as the integration tests' (shared/ beside the repo in CI).
const SCHEMA_DIR = path.join(OCI_SCHEMAS, 'runtime-spec-v1.3.0');

function schemaValidator(): ((x: unknown) => boolean) & { errors?: unknown } {
  const Ajv04 = require('ajv-draft-04');
  const AjvCtor = Ajv04.default ?? Ajv04;
  const ajv = new AjvCtor({ strict: false, allErrors: true });
  // The schema files $ref each other by file name ("defs.json#/..."): register each under its name.
  // defs.json 1.3.0 has one malformed pointer ("#definitions/uint32", missing the slash) that ajv
  // rightly refuses; it is repaired on load, nothing else is changed.
  const load = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8').replaceAll('"#definitions/', '"#/definitions/'));
  for (const f of fs.readdirSync(SCHEMA_DIR).filter((x) => x.endsWith('.json'))) {
    if (f === 'config-schema.json') continue;
    ajv.addSchema(load(f), f);
  }
  ajv.addSchema(load('config-schema.json'), 'config-schema.json');
  return ajv.getSchema('config-schema.json');
}

test('default spec has Docker namespaces, mounts, caps, masked paths and validates', { skip: !fs.existsSync(SCHEMA_DIR) && 'no schemas' }, () => {
  const spec = buildRuntimeSpec(input());
  const validate = schemaValidator();
  assert.ok(validate(spec), JSON.stringify(validate.errors, null, 1));
  assert.deepEqual(
    spec.linux.namespaces.map((n) => n.type),
    ['pid', 'ipc', 'uts', 'mount', 'network'],
  );
  assert.deepEqual(
    spec.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
  );
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=67108864'));
  assert.ok(spec.mounts.find((m) => m.destination === '/dev')!.options!.includes('size=65536k'));
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  assert.deepEqual(spec.process.capabilities!.bounding, DEFAULT_CAPABILITIES);
  assert.deepEqual(spec.linux.maskedPaths, DEFAULT_MASKED_PATHS);
  assert.ok(spec.linux.readonlyPaths!.includes('/proc/sysrq-trigger'));
  assert.equal(spec.linux.cgroupsPath, '/berth/abc');
  assert.equal(spec.hostname, 'abc');
  assert.equal(spec.process.terminal, false);
  assert.equal(spec.root.readonly, false);
  assert.equal(spec.linux.resources!.devices![0]!.allow, false);
});

test('a spec with every option set validates against the OCI schema', { skip: !fs.existsSync(SCHEMA_DIR) && 'no schemas' }, () => {
  const spec = buildRuntimeSpec(
    input({
      tty: true,
      readonlyRootfs: true,
      user: { uid: 1000, gid: 1000, additionalGids: [10, 20] },
      mounts: [{ destination: '/data', source: '/srv/data', type: 'bind', options: ['rprivate', 'ro'] }],
      resources: { memory: 64 << 20, memoryReservation: 32 << 20, nanoCpus: 1.5e9, cpuShares: 512, cpusetCpus: '0', pidsLimit: 50 },
      ulimits: [{ name: 'nproc', soft: 100, hard: 200 }],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      oomScoreAdj: 500,
      init: { hostPath: '/usr/bin/catatonit', containerPath: '/sbin/docker-init' },
      noNewPrivileges: true,
      network: { mode: 'path', path: '/run/netns/x' },
      cgroupNamespace: true,
    }),
  );
  const validate = schemaValidator();
  assert.ok(validate(spec), JSON.stringify(validate.errors, null, 1));
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
  const init = spec.mounts.find((m) => m.destination === '/sbin/docker-init')!;
  assert.equal(init.source, '/usr/bin/catatonit');
  assert.ok(init.options!.includes('ro'));
  assert.deepEqual(spec.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' });
  assert.ok(spec.linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [10, 20] });
  assert.equal(spec.process.oomScoreAdj, 500);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/data')!.options, ['rbind', 'rprivate', 'ro']);
});

test('a spec that breaks the schema is caught by the validator (the check can fail)', { skip: !fs.existsSync(SCHEMA_DIR) && 'no schemas' }, () => {
  const spec = buildRuntimeSpec(input()) as unknown as { process: { user: { uid: unknown } } };
  spec.process.user.uid = 'root';
  assert.equal(schemaValidator()(spec), false);
});

test('host network lists no network namespace', () => {
  const spec = buildRuntimeSpec(input({ network: { mode: 'host' } }));
  assert.ok(!spec.linux.namespaces.some((n) => n.type === 'network'));
});

test('resources: --cpus gives period 100000 and the matching quota; memory swap follows Docker', () => {
  const r = buildRuntimeSpec(input({ resources: { nanoCpus: 1.5e9, memory: 100 << 20, pidsLimit: 10 } })).linux.resources!;
  assert.deepEqual(r.cpu, { period: 100000, quota: 150000 });
  assert.equal(r.memory!.limit, 100 << 20);
  assert.equal(r.memory!.swap, 200 << 20);
  assert.deepEqual(r.pids, { limit: 10 });
  const unl = buildRuntimeSpec(input({ resources: { memory: 100 << 20, memorySwap: -1 } })).linux.resources!;
  assert.equal(unl.memory!.swap, -1);
  const noacct = buildRuntimeSpec(input({ swapAccounting: false, resources: { memory: 100 << 20 } })).linux.resources!;
  assert.equal(noacct.memory!.swap, undefined);
  const explicit = buildRuntimeSpec(input({ resources: { cpuQuota: 50000, cpuPeriod: 200000 } })).linux.resources!;
  assert.deepEqual(explicit.cpu, { period: 200000, quota: 50000 });
  const none = buildRuntimeSpec(input()).linux.resources!;
  assert.equal(none.memory, undefined);
  assert.equal(none.pids, undefined);
});

test('rlimits: NOFILE defaults to the host hard limit when lower than 1Mi; --ulimit is clamped', () => {
  const spec = buildRuntimeSpec(
    input({
      ulimits: [
        { name: 'nproc', soft: 1000000, hard: 1000000 },
        { name: 'core', soft: -1, hard: -1 },
      ],
    }),
  );
  const byType = Object.fromEntries(spec.process.rlimits!.map((r) => [r.type, r]));
  assert.deepEqual(byType.RLIMIT_NOFILE, { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 });
  assert.deepEqual(byType.RLIMIT_NPROC, { type: 'RLIMIT_NPROC', soft: 96365, hard: 96365 });
  assert.equal(byType.RLIMIT_CORE.hard, Number.MAX_SAFE_INTEGER);
  const big = buildRuntimeSpec(input({ hostHardLimits: { RLIMIT_NOFILE: Infinity } }));
  assert.equal(big.process.rlimits![0]!.hard, 1048576);
  const nofile = buildRuntimeSpec(input({ ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }] }));
  assert.deepEqual(nofile.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }]);
  assert.equal(rlimitType('RLIMIT_AS'), 'RLIMIT_AS');
});

test('capabilities: add/drop with and without CAP_, ALL, privileged', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('CAP_NET_ADMIN'), 'CAP_NET_ADMIN');
  let caps = effectiveCapabilities(['NET_ADMIN', 'cap_sys_ptrace'], ['chown', 'CAP_KILL'], false);
  assert.ok(caps.includes('CAP_NET_ADMIN') && caps.includes('CAP_SYS_PTRACE'));
  assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_KILL'));
  caps = effectiveCapabilities([], ['ALL'], false);
  assert.deepEqual(caps, []);
  caps = effectiveCapabilities(['NET_BIND_SERVICE'], ['ALL'], false);
  assert.deepEqual(caps, ['CAP_NET_BIND_SERVICE']);
  caps = effectiveCapabilities(['ALL'], ['MKNOD'], false);
  assert.equal(caps.length, ALL_CAPABILITIES.length - 1);
  const host = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
  const priv = buildRuntimeSpec(input({ privileged: true, hostCapabilities: host }));
  assert.deepEqual(priv.process.capabilities!.bounding, host);
  assert.equal(priv.linux.maskedPaths, undefined);
  assert.equal(priv.linux.readonlyPaths, undefined);
  assert.ok(priv.mounts.find((m) => m.destination === '/sys')!.options!.includes('rw'));
  assert.deepEqual(priv.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
});

test('mounts: a user mount replaces the default at the same destination; shm size follows', () => {
  const spec = buildRuntimeSpec(
    input({ shmSize: 1 << 20, mounts: [{ destination: '/dev/mqueue/', source: 'tmpfs', type: 'tmpfs', options: ['rw'] }] }),
  );
  const mq = spec.mounts.filter((m) => m.destination === '/dev/mqueue');
  assert.equal(mq.length, 1);
  assert.equal(mq[0]!.type, 'tmpfs');
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=1048576'));
});
