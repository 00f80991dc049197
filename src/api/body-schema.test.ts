import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBody, ContainerCreateBody, ExecCreateBody, BodyTypeError } from './body-schema.js';

const create = (b: unknown) => checkBody(b, ContainerCreateBody, 'container.CreateRequest');

test('a valid create body passes; null and unknown fields are taken as Go takes them', () => {
  create({ Image: 'busybox', Cmd: 'sh', Env: null, Whatever: 5, HostConfig: { Memory: 6291456, PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }] } });
  create({ Image: 'busybox', Cmd: ['a', 'b'], Healthcheck: { Test: ['CMD', 'true'], Interval: 1000000 } });
});

test('wrong types are refused with Go\'s words and the field path', () => {
  const cases: [unknown, RegExp][] = [
    [{ HostConfig: { PortBindings: 'x' } }, /^json: cannot unmarshal string into Go struct field HostConfig\.HostConfig\.PortBindings of type nat\.PortMap$/],
    [{ HostConfig: { CpuShares: 1.5 } }, /cannot unmarshal number 1\.5 into Go struct field HostConfig\.HostConfig\.CpuShares of type int64/],
    [{ HostConfig: { Ulimits: [{ Name: 5 }] } }, /cannot unmarshal number into Go struct field Ulimit\.HostConfig\.Ulimits\.Name of type string/],
    [{ Healthcheck: { Test: 'x' } }, /cannot unmarshal string into Go struct field HealthConfig\.Healthcheck\.Test of type \[\]string/],
    [{ HostConfig: { Mounts: [{ Source: 5 }] } }, /cannot unmarshal number into Go struct field Mount\.HostConfig\.Mounts\.Source of type string/],
    [{ Env: 5 }, /cannot unmarshal number into Go struct field ContainerConfigWrapper\.Env of type \[\]string/],
    [{ Cmd: [1] }, /of type strslice\.StrSlice/],
    [{ HostConfig: { Binds: [5] } }, /HostConfig\.HostConfig\.Binds of type string$/],
    [{ HostConfig: { RestartPolicy: 'always' } }, /of type container\.RestartPolicy/],
    [{ HostConfig: { LogConfig: { Config: { 'max-size': 5 } } } }, /LogConfig\.HostConfig\.LogConfig\.Config of type string/],
    [[], /into Go value of type container\.CreateRequest/],
  ];
  for (const [body, re] of cases) assert.throws(() => create(body), (e: unknown) => e instanceof BodyTypeError && re.test(e.message), JSON.stringify(body));
});

test('exec create bodies', () => {
  checkBody({ Cmd: ['true'], Env: ['A=1'], User: 'root' }, ExecCreateBody, 'container.ExecOptions');
  for (const b of [{ Env: 5 }, { User: 5 }, { WorkingDir: 5 }, { Tty: 'yes' }]) {
    assert.throws(() => checkBody(b, ExecCreateBody, 'container.ExecOptions'), BodyTypeError, JSON.stringify(b));
  }
});
