// berth-registry: parses flags, wires storage, registry, auth and the HTTP(S) server in one readable
// place, and runs the offline GC command. Stands alone: it shares pure code from lib/ with berthd and
// nothing else.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { CommanderError } from 'commander';
import { parseRegistryFlags, splitAddr, type GcConfig, type ServeConfig } from './flags.js';
import { FilesystemDriver } from './storage/fs-driver.js';
import { Registry } from './registry.js';
import { collectGarbage } from './gc.js';
import { Authenticator, type AuthConfig } from './auth/authenticator.js';
import { Htpasswd, parseHtpasswd } from './auth/htpasswd.js';
import { TokenSigner } from './auth/token.js';
import { DEFAULT_ACL, parseAcl } from '../lib/distribution/acl.js';
import { createRequestHandler } from './http/server.js';
import { liveServers, registerServer } from './root-lock.js';

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseRegistryFlags(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`berth-registry: ${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    if (parsed.command === 'gc') await runGc(parsed.config);
    else await serve(parsed.config);
  } catch (e) {
    process.stderr.write(`berth-registry: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

async function runGc(c: GcConfig): Promise<void> {
  if (!fs.existsSync(c.root)) throw new Error(`--root ${c.root}: no such directory`);
  const live = liveServers(c.root);
  if (live.length > 0) throw new Error(`a berth-registry (pid ${live.join(', ')}) is serving ${c.root}: stop it, or let it collect online (--gc-interval, SIGUSR2)`);
  const driver = new FilesystemDriver(c.root);
  await driver.sweepTemp(0);
  const reg = new Registry(driver);
  const r = await collectGarbage(reg, { dryRun: c.dryRun, graceMs: c.graceMs, uploadExpiryMs: c.uploadExpiryMs, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify({ dryRun: c.dryRun, removed: r.removed.length, bytesFreed: r.bytesFreed, linksRemoved: r.linksRemoved, uploadsPurged: r.uploadsPurged })}\n`);
}

async function buildAuth(c: ServeConfig): Promise<Authenticator> {
  const htpasswd = c.htpasswd ? new Htpasswd(parseHtpasswd(fs.readFileSync(c.htpasswd, 'utf8'))) : undefined;
  const acl = c.acl ? parseAcl(fs.readFileSync(c.acl, 'utf8')) : DEFAULT_ACL;
  const config: AuthConfig = { mode: 'none', acl, realm: 'berth-registry', htpasswd };
  if (c.tokenRealm) {
    const signer = await TokenSigner.fromPem(c.tokenKey ? fs.readFileSync(c.tokenKey, 'utf8') : undefined, {
      issuer: c.tokenIssuer,
      service: c.tokenService ?? c.addr,
      ttl: c.tokenTtlSeconds,
    });
    config.mode = 'token';
    config.token = { signer, realm: c.tokenRealm };
  } else if (htpasswd) {
    config.mode = 'basic';
  }
  return new Authenticator(config);
}

async function serve(c: ServeConfig): Promise<void> {
  const log = (level: keyof typeof LEVELS, line: string) => {
    if (LEVELS[level] >= LEVELS[c.logLevel]) process.stderr.write(`${new Date().toISOString()} ${level} ${line}\n`);
  };
  const { host, port } = splitAddr(c.addr);
  fs.mkdirSync(c.root, { recursive: true });
  const driver = new FilesystemDriver(c.root);
  // Temp files of writers that are gone are what a crash cut short; those of live processes (another
  // registry on this root) stay. Nameless-pid ones older than a day go too.
  await driver.sweepDeadTemp();
  await driver.sweepTemp(24 * 3600_000);
  const registry = new Registry(driver);
  const auth = await buildAuth(c);
  const handler = createRequestHandler({ registry, auth, readOnly: c.readOnly, maxManifestBytes: 4 * 1024 * 1024, log: (l) => log('error', l) });
  const server = c.tlsCert ? https.createServer({ cert: fs.readFileSync(c.tlsCert), key: fs.readFileSync(c.tlsKey!) }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log('error', `server: ${e.message}`));
  const unregister = registerServer(c.root);
  const a = server.address();
  const where = typeof a === 'object' && a ? `${a.address}:${a.port}` : c.addr;
  log('info', `berth-registry serving ${c.tlsCert ? 'https' : 'http'}://${where} from ${c.root} (auth: ${auth.mode}${c.readOnly ? ', read-only' : ''})`);
  // Tests ask for port 0 and read the real one from this line on stdout.
  process.stdout.write(`listening ${where}\n`);

  let gcRunning = false;
  const gc = async () => {
    if (gcRunning || c.readOnly) return;
    gcRunning = true;
    try {
      await collectGarbage(registry, { graceMs: c.gcGraceMs, log: (l) => log('info', l) });
    } catch (e) {
      log('error', `gc failed: ${(e as Error).message}`);
    } finally {
      gcRunning = false;
    }
  };
  process.on('SIGUSR2', () => void gc());
  const timer = c.gcIntervalMs > 0 ? setInterval(() => void gc(), c.gcIntervalMs) : undefined;
  timer?.unref();

  const stop = () => {
    log('info', 'berth-registry stopping');
    unregister();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
