// The docker CLI's config file, ~/.docker/config.json (or $DOCKER_CONFIG/config.json): berth login
// stores credentials there in Docker's shape ({"auths": {"host": {"auth": base64("user:pass")}}}), so
// either CLI can use the other's login. Other keys in the file are kept as they are. Written to a
// temp file and renamed, mode 0600, as docker does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { authKeyFor, encodeBasicAuth, encodeRegistryAuth, registryHostOf, withUserFromAuth, type AuthConfig } from '../lib/distribution/auth-config.js';

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; email?: string }>;
  credsStore?: string;
  [k: string]: unknown;
}

export function configDir(env: Record<string, string | undefined>): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

export function configPath(env: Record<string, string | undefined>): string {
  return path.join(configDir(env), 'config.json');
}

export function readConfig(env: Record<string, string | undefined>): DockerConfigFile {
  try {
    const j = JSON.parse(fs.readFileSync(configPath(env), 'utf8')) as DockerConfigFile;
    return j && typeof j === 'object' ? j : {};
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`loading config file ${configPath(env)}: ${(e as Error).message}`);
  }
}

export function writeConfig(env: Record<string, string | undefined>, cfg: DockerConfigFile): void {
  const file = configPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(cfg, null, '\t'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The stored credentials for a registry host (Docker Hub under its legacy key), if any. */
export function credentialsFor(env: Record<string, string | undefined>, host: string): AuthConfig | undefined {
  const auths = readConfig(env).auths ?? {};
  const key = authKeyFor(host);
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => registryHostOf(k) === registryHostOf(host))?.[1];
  if (!entry) return undefined;
  const a = withUserFromAuth({ auth: entry.auth, identitytoken: entry.identitytoken });
  return { ...a, serveraddress: key };
}

export function storeCredentials(env: Record<string, string | undefined>, host: string, user: string, password: string): string {
  const cfg = readConfig(env);
  const key = authKeyFor(host);
  cfg.auths = { ...(cfg.auths ?? {}), [key]: { auth: encodeBasicAuth(user, password) } };
  writeConfig(env, cfg);
  return configPath(env);
}

/** Removes a registry's credentials; false when there were none. */
export function removeCredentials(env: Record<string, string | undefined>, host: string): boolean {
  const cfg = readConfig(env);
  const auths = cfg.auths ?? {};
  const keys = Object.keys(auths).filter((k) => k === authKeyFor(host) || registryHostOf(k) === registryHostOf(host));
  if (!keys.length) return false;
  for (const k of keys) delete auths[k];
  cfg.auths = auths;
  writeConfig(env, cfg);
  return true;
}

/** The X-Registry-Auth header value for an image's registry ("" when not logged in). */
export function registryAuthHeader(env: Record<string, string | undefined>, host: string): string {
  const c = credentialsFor(env, host);
  if (!c || (!c.username && !c.identitytoken)) return '';
  const a: AuthConfig = { serveraddress: c.serveraddress };
  if (c.username !== undefined) a.username = c.username;
  if (c.password !== undefined) a.password = c.password;
  if (c.identitytoken) a.identitytoken = c.identitytoken;
  return encodeRegistryAuth(a);
}
