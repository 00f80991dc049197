// berth-registry's command line: `berth-registry [serve] [flags]` and `berth-registry gc --root DIR`.
import { Command, Option } from 'commander';
import { parseGoDuration } from '../lib/dockerfile/duration.js';

export interface ServeConfig {
  addr: string;
  root: string;
  tlsCert?: string;
  tlsKey?: string;
  htpasswd?: string;
  acl?: string;
  tokenRealm?: string;
  tokenIssuer: string;
  tokenService?: string;
  tokenKey?: string;
  tokenTtlSeconds: number;
  readOnly: boolean;
  /** Online GC every this many ms; 0 = only on SIGUSR2. */
  gcIntervalMs: number;
  gcGraceMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface GcConfig {
  root: string;
  dryRun: boolean;
  graceMs: number;
  uploadExpiryMs: number;
}

function durationMs(v: string): number {
  try {
    return parseGoDuration(v) / 1e6;
  } catch {
    throw new Error(`invalid duration "${v}" (Go form: 90s, 15m, 1h30m)`);
  }
}

export type Parsed = { command: 'serve'; config: ServeConfig } | { command: 'gc'; config: GcConfig };

export function parseRegistryFlags(argv: string[]): Parsed {
  let parsed: Parsed | undefined;
  const program = new Command('berth-registry')
    .description('An OCI distribution (Docker registry v2) server, with Docker v1 search')
    .exitOverride()
    .showHelpAfterError();

  const serve = program
    .command('serve', { isDefault: true })
    .description('serve the registry (the default command)')
    .option('--addr <host:port>', 'address to listen on', '127.0.0.1:5000')
    .option('--root <dir>', 'filesystem storage root', '/var/lib/berth-registry')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--htpasswd <file>', 'basic auth (or the token endpoint\'s password check) from an htpasswd file of bcrypt entries')
    .option('--acl <file>', 'who may pull/push/delete what (see README); default: signed-in users may do everything')
    .option('--token-realm <url>', 'token auth: the realm clients get tokens from (this registry serves one at /token)')
    .option('--token-issuer <name>', 'token auth: issuer named in and required of tokens', 'berth-registry')
    .option('--token-service <name>', 'token auth: service (audience) of tokens; default: --addr')
    .option('--token-key <file>', 'token auth: PEM key; a private key signs and verifies, a public key or certificate only verifies (default: an ephemeral key)')
    .option('--token-ttl <duration>', 'token auth: lifetime of issued tokens', '5m')
    .option('--read-only', 'refuse every write (405 UNSUPPORTED), as distribution\'s maintenance mode', false)
    .option('--gc-interval <duration>', 'run the online garbage collection this often (0: only on SIGUSR2)', '0')
    .option('--gc-grace <duration>', 'the online GC spares blobs younger than this', '1h')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action((o: Record<string, string | boolean | undefined>) => {
      if (!!o.tlsCert !== !!o.tlsKey) throw new Error('--tls-cert and --tls-key go together');
      splitAddr(o.addr as string); // a malformed --addr is a usage error (exit 2), found before anything starts
      if (o.tokenRealm && !o.htpasswd && !o.acl) {
        // Anonymous-only token auth is allowed (an ACL with `anonymous` rules); say nothing.
      }
      parsed = {
        command: 'serve',
        config: {
          addr: o.addr as string,
          root: o.root as string,
          tlsCert: o.tlsCert as string | undefined,
          tlsKey: o.tlsKey as string | undefined,
          htpasswd: o.htpasswd as string | undefined,
          acl: o.acl as string | undefined,
          tokenRealm: o.tokenRealm as string | undefined,
          tokenIssuer: o.tokenIssuer as string,
          tokenService: o.tokenService as string | undefined,
          tokenKey: o.tokenKey as string | undefined,
          tokenTtlSeconds: Math.max(1, Math.round(durationMs(o.tokenTtl as string) / 1000)),
          readOnly: o.readOnly === true,
          gcIntervalMs: durationMs(o.gcInterval as string),
          gcGraceMs: durationMs(o.gcGrace as string),
          logLevel: o.logLevel as ServeConfig['logLevel'],
        },
      };
    });
  void serve;

  program
    .command('gc')
    .description('remove blobs no manifest references (offline: no server may be serving --root)')
    .requiredOption('--root <dir>', 'filesystem storage root')
    .option('--dry-run', 'only print what would be removed', false)
    .option('--grace <duration>', 'spare blobs younger than this', '0s')
    .option('--upload-expiry <duration>', 'purge uploads started longer ago than this', '168h')
    .action((o: Record<string, string | boolean>) => {
      parsed = {
        command: 'gc',
        config: { root: o.root as string, dryRun: o.dryRun === true, graceMs: durationMs(o.grace as string), uploadExpiryMs: durationMs(o.uploadExpiry as string) },
      };
    });

  program.parse(argv, { from: 'user' });
  if (!parsed) throw new Error('no command');
  return parsed;
}

/** Splits HOST:PORT (HOST may be [v6]); the port must be a number. */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`--addr: want HOST:PORT, got "${addr}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--addr: port ${port} out of range`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
