// Type checks of Engine API request bodies, one mechanism for every route with a JSON body: a small
// schema per wire type, written from the API's definitions, checked where the body enters. A value of
// the wrong JSON type is refused with the message Go's decoder gives dockerd
// (`json: cannot unmarshal string into Go struct field HostConfig.HostConfig.PortBindings of type
// nat.PortMap`), so clients that match on it keep working; unknown fields are ignored and null is
// taken where Go takes it (a nil slice, map or pointer), as dockerd does. Pure.

export type Schema =
  | 'string'
  | 'bool'
  /** A JSON number without a fraction (Go int/int64); `uint` refuses negatives as Go's decoder does. */
  | 'int'
  | 'uint'
  /** Any JSON number (Go float64). */
  | 'float'
  /** Anything (interface{}). */
  | 'any'
  | { array: Schema; go?: string }
  | { map: Schema; go?: string }
  | { struct: Record<string, Schema>; go: string }
  /** A string or a list of strings (strslice.StrSlice: Cmd, Entrypoint, Healthcheck.Test). */
  | 'strslice';

export class BodyTypeError extends Error {}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  return typeof v;
}

function goType(s: Schema): string {
  if (typeof s === 'string') return { string: 'string', bool: 'bool', int: 'int64', uint: 'uint64', float: 'float64', any: 'interface {}', strslice: 'strslice.StrSlice' }[s];
  if ('array' in s) return s.go ?? `[]${goType(s.array)}`;
  if ('map' in s) return s.go ?? `map[string]${goType(s.map)}`;
  return s.go;
}

/**
 * Checks `value` against `schema`; throws BodyTypeError with Go's wording. `root` is the Go type name
 * of the top struct, `path` the field path Go reports (Go 1.20+: every level's field name).
 */
export function checkBody(value: unknown, schema: Schema, root: string, path = ''): void {
  const fail = () => {
    if (!path) throw new BodyTypeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${root}`);
    throw new BodyTypeError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${root}.${path} of type ${goType(schema)}`);
  };
  if (value === null || value === undefined) return; // Go leaves the zero value
  if (typeof schema === 'string') {
    switch (schema) {
      case 'string':
        if (typeof value !== 'string') fail();
        return;
      case 'bool':
        if (typeof value !== 'boolean') fail();
        return;
      case 'int':
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail();
        return;
      case 'uint':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail();
        return;
      case 'float':
        if (typeof value !== 'number' || !Number.isFinite(value)) fail();
        return;
      case 'strslice':
        if (typeof value === 'string') return;
        if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) fail();
        return;
      case 'any':
        return;
    }
  }
  if ('array' in schema) {
    if (!Array.isArray(value)) fail();
    const el = schema.array;
    for (const x of value as unknown[]) {
      // Go would decode null into an empty struct (or a nil pointer dockerd then trips on): refused
      // here with the field named, as a 400.
      if (x === null && typeof el === 'object' && 'struct' in el) {
        throw new BodyTypeError(`json: cannot unmarshal null into Go struct field ${root}.${path} of type ${goType(el)}`);
      }
      checkBody(x, el, root, path);
    }
    return;
  }
  if ('map' in schema) {
    if (typeof value !== 'object' || Array.isArray(value)) fail();
    for (const [k, x] of Object.entries(value as object)) checkBody(x, schema.map, root, path ? `${path}` : k);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) fail();
  // Go names the innermost struct holding the field, then the whole field path from the top.
  const name = schema.go.replace(/^.*\./, '');
  for (const [k, sub] of Object.entries(schema.struct)) {
    checkBody((value as Record<string, unknown>)[k], sub, name, path ? `${path}.${k}` : k);
  }
}

// ---------------------------------------------------------------- the Engine API's types (v1.45)

const strs: Schema = { array: 'string' };
const strmap: Schema = { map: 'string' };
const anyObj: Schema = { map: 'any', go: 'map[string]struct {}' };

export const HealthConfig: Schema = {
  go: 'container.HealthConfig',
  struct: { Test: { array: 'string' }, Interval: 'int', Timeout: 'int', StartPeriod: 'int', StartInterval: 'int', Retries: 'int' },
};

const PortBinding: Schema = { go: 'nat.PortBinding', struct: { HostIp: 'string', HostPort: 'string' } };

const Mount: Schema = {
  go: 'mount.Mount',
  struct: {
    Type: 'string',
    Source: 'string',
    Target: 'string',
    ReadOnly: 'bool',
    Consistency: 'string',
    BindOptions: { go: 'mount.BindOptions', struct: { Propagation: 'string', NonRecursive: 'bool', CreateMountpoint: 'bool', ReadOnlyNonRecursive: 'bool', ReadOnlyForceRecursive: 'bool' } },
    VolumeOptions: {
      go: 'mount.VolumeOptions',
      struct: { NoCopy: 'bool', Labels: strmap, Subpath: 'string', DriverConfig: { go: 'mount.Driver', struct: { Name: 'string', Options: strmap } } },
    },
    TmpfsOptions: { go: 'mount.TmpfsOptions', struct: { SizeBytes: 'int', Mode: 'uint', Options: { array: { array: 'string' } } } },
  },
};

const Ulimit: Schema = { go: 'units.Ulimit', struct: { Name: 'string', Soft: 'int', Hard: 'int' } };

export const HostConfig: Schema = {
  go: 'container.HostConfig',
  struct: {
    Binds: strs,
    ContainerIDFile: 'string',
    LogConfig: { go: 'container.LogConfig', struct: { Type: 'string', Config: strmap } },
    NetworkMode: 'string',
    PortBindings: { map: { array: PortBinding, go: '[]nat.PortBinding' }, go: 'nat.PortMap' },
    RestartPolicy: { go: 'container.RestartPolicy', struct: { Name: 'string', MaximumRetryCount: 'int' } },
    AutoRemove: 'bool',
    VolumeDriver: 'string',
    VolumesFrom: strs,
    ConsoleSize: { array: 'uint', go: '[2]uint' },
    Annotations: strmap,
    CapAdd: strs,
    CapDrop: strs,
    CgroupnsMode: 'string',
    Dns: strs,
    DnsOptions: strs,
    DnsSearch: strs,
    ExtraHosts: strs,
    GroupAdd: strs,
    IpcMode: 'string',
    Cgroup: 'string',
    Links: strs,
    OomScoreAdj: 'int',
    PidMode: 'string',
    Privileged: 'bool',
    PublishAllPorts: 'bool',
    ReadonlyRootfs: 'bool',
    SecurityOpt: strs,
    StorageOpt: strmap,
    Tmpfs: strmap,
    UTSMode: 'string',
    UsernsMode: 'string',
    ShmSize: 'int',
    Sysctls: strmap,
    Runtime: 'string',
    Isolation: 'string',
    CpuShares: 'int',
    Memory: 'int',
    NanoCpus: 'int',
    CgroupParent: 'string',
    BlkioWeight: 'uint',
    CpuPeriod: 'int',
    CpuQuota: 'int',
    CpuRealtimePeriod: 'int',
    CpuRealtimeRuntime: 'int',
    CpusetCpus: 'string',
    CpusetMems: 'string',
    Devices: { array: { go: 'container.DeviceMapping', struct: { PathOnHost: 'string', PathInContainer: 'string', CgroupPermissions: 'string' } } },
    DeviceCgroupRules: strs,
    KernelMemoryTCP: 'int',
    MemoryReservation: 'int',
    MemorySwap: 'int',
    MemorySwappiness: 'int',
    OomKillDisable: 'bool',
    PidsLimit: 'int',
    Ulimits: { array: Ulimit, go: '[]*units.Ulimit' },
    CpuCount: 'int',
    CpuPercent: 'int',
    Mounts: { array: Mount, go: '[]mount.Mount' },
    MaskedPaths: strs,
    ReadonlyPaths: strs,
    Init: 'bool',
  },
};

const EndpointSettings: Schema = {
  go: 'network.EndpointSettings',
  struct: {
    IPAMConfig: { go: 'network.EndpointIPAMConfig', struct: { IPv4Address: 'string', IPv6Address: 'string', LinkLocalIPs: strs } },
    Links: strs,
    Aliases: strs,
    MacAddress: 'string',
    DriverOpts: strmap,
    NetworkID: 'string',
    EndpointID: 'string',
    Gateway: 'string',
    IPAddress: 'string',
    IPPrefixLen: 'int',
  },
};

export const ContainerConfig: Record<string, Schema> = {
  Hostname: 'string',
  Domainname: 'string',
  User: 'string',
  AttachStdin: 'bool',
  AttachStdout: 'bool',
  AttachStderr: 'bool',
  ExposedPorts: anyObj,
  Tty: 'bool',
  OpenStdin: 'bool',
  StdinOnce: 'bool',
  Env: strs,
  Cmd: 'strslice',
  Healthcheck: HealthConfig,
  ArgsEscaped: 'bool',
  Image: 'string',
  Volumes: anyObj,
  WorkingDir: 'string',
  Entrypoint: 'strslice',
  NetworkDisabled: 'bool',
  MacAddress: 'string',
  OnBuild: strs,
  Labels: strmap,
  StopSignal: 'string',
  StopTimeout: 'int',
  Shell: 'strslice',
};

/** POST /containers/create: the container config with HostConfig and NetworkingConfig inline. */
export const ContainerCreateBody: Schema = {
  go: 'runconfig.ContainerConfigWrapper',
  struct: {
    ...ContainerConfig,
    HostConfig,
    NetworkingConfig: { go: 'network.NetworkingConfig', struct: { EndpointsConfig: { map: EndpointSettings, go: 'map[string]*network.EndpointSettings' } } },
  },
};

/** POST /containers/{id}/exec. */
export const ExecCreateBody: Schema = {
  go: 'container.ExecOptions',
  struct: {
    User: 'string',
    Privileged: 'bool',
    Tty: 'bool',
    ConsoleSize: { array: 'uint', go: '*[2]uint' },
    AttachStdin: 'bool',
    AttachStderr: 'bool',
    AttachStdout: 'bool',
    DetachKeys: 'string',
    Env: strs,
    WorkingDir: 'string',
    Cmd: 'strslice',
  },
};

/** POST /exec/{id}/start. */
export const ExecStartBody: Schema = {
  go: 'container.ExecStartOptions',
  struct: { Detach: 'bool', Tty: 'bool', ConsoleSize: { array: 'uint', go: '*[2]uint' } },
};
