// Type checks of a POST /containers/create body before it reaches the service, worded as Docker's Go
// decoder words them (a number where a string belongs is a 400, not a crash); Cmd and Entrypoint may
// be a single string, which Docker reads as a one-element list. Unknown fields are ignored, as Docker does.
import { InvalidParameterError } from '../../errors.js';
import type { ContainerCreateRequest } from '../../api/types/containers.js';

type Kind = 'string' | 'bool' | 'number' | 'strings' | 'object' | 'strmap' | 'array';

const CONFIG: Record<string, Kind> = {
  Hostname: 'string', Domainname: 'string', User: 'string', Image: 'string', WorkingDir: 'string', StopSignal: 'string', MacAddress: 'string',
  AttachStdin: 'bool', AttachStdout: 'bool', AttachStderr: 'bool', Tty: 'bool', OpenStdin: 'bool', StdinOnce: 'bool', NetworkDisabled: 'bool', ArgsEscaped: 'bool',
  Env: 'strings', OnBuild: 'strings', Shell: 'strings', Cmd: 'strings', Entrypoint: 'strings',
  Labels: 'strmap', Volumes: 'object', ExposedPorts: 'object', Healthcheck: 'object', HostConfig: 'object', NetworkingConfig: 'object',
  StopTimeout: 'number',
};
const HOST: Record<string, Kind> = {
  Binds: 'strings', CapAdd: 'strings', CapDrop: 'strings', Dns: 'strings', DnsOptions: 'strings', DnsSearch: 'strings', ExtraHosts: 'strings', GroupAdd: 'strings', SecurityOpt: 'strings', VolumesFrom: 'strings', Links: 'strings',
  NetworkMode: 'string', IpcMode: 'string', PidMode: 'string', UTSMode: 'string', CpusetCpus: 'string', Runtime: 'string', ContainerIDFile: 'string', VolumeDriver: 'string',
  AutoRemove: 'bool', Privileged: 'bool', PublishAllPorts: 'bool', ReadonlyRootfs: 'bool',
  Memory: 'number', MemorySwap: 'number', MemoryReservation: 'number', NanoCpus: 'number', CpuShares: 'number', CpuPeriod: 'number', CpuQuota: 'number', PidsLimit: 'number', ShmSize: 'number', OomScoreAdj: 'number',
  Tmpfs: 'strmap', Sysctls: 'strmap', PortBindings: 'object', LogConfig: 'object', RestartPolicy: 'object',
  Mounts: 'array', Ulimits: 'array',
};
const GO_TYPE: Record<Kind, string> = { string: 'string', bool: 'bool', number: 'int64', strings: '[]string', object: 'struct', strmap: 'map[string]string', array: '[]struct' };

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function check(where: string, obj: Record<string, unknown>, schema: Record<string, Kind>): void {
  for (const [k, kind] of Object.entries(schema)) {
    const v = obj[k];
    if (v === undefined || v === null) continue;
    const ok =
      kind === 'string' ? typeof v === 'string'
      : kind === 'bool' ? typeof v === 'boolean'
      : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : kind === 'strings' ? (typeof v === 'string' && (k === 'Cmd' || k === 'Entrypoint')) || (Array.isArray(v) && v.every((x) => typeof x === 'string'))
      : kind === 'array' ? Array.isArray(v)
      : kind === 'strmap' ? typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string')
      : typeof v === 'object' && !Array.isArray(v);
    if (!ok) throw new InvalidParameterError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${where}.${k} of type ${GO_TYPE[kind]}`);
  }
}

export function checkCreateBody(b: unknown): ContainerCreateRequest {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new InvalidParameterError(`json: cannot unmarshal ${jsonKind(b)} into Go value of type container.CreateRequest`);
  const body = b as Record<string, unknown>;
  check('ContainerConfigWrapper', body, CONFIG);
  if (body['HostConfig']) check('HostConfig', body['HostConfig'] as Record<string, unknown>, HOST);
  const out = { ...body } as ContainerCreateRequest & Record<string, unknown>;
  for (const k of ['Cmd', 'Entrypoint'] as const) if (typeof out[k] === 'string') out[k] = [out[k] as unknown as string];
  return out;
}
