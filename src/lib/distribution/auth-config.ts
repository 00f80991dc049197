// Registry credentials as Docker carries them: the `X-Registry-Auth` header (base64url of a JSON
// AuthConfig), the `auths` entries of ~/.docker/config.json (base64 "user:password" in `auth`), and
// the key a registry has there (Docker Hub's is its old v1 index URL). Pure.

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The config.json key of Docker Hub, kept by every docker CLI for compatibility. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Decodes X-Registry-Auth; empty or undecodable headers mean anonymous (as dockerd treats them). */
export function decodeRegistryAuth(header: string | undefined): AuthConfig {
  if (!header) return {};
  try {
    // Docker sends URL-safe base64; older clients sent the standard alphabet. Node reads both.
    const parsed = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: AuthConfig = {};
    for (const k of ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
      const v = (parsed as Record<string, unknown>)[k] ?? (parsed as Record<string, unknown>)[k[0]!.toUpperCase() + k.slice(1)];
      if (typeof v === 'string' && v !== '') out[k] = v;
    }
    return withUserFromAuth(out);
  } catch {
    return {};
  }
}

/** URL-safe base64 *with* padding: Go's base64.URLEncoding, which dockerd decodes strictly. */
export function encodeRegistryAuth(a: AuthConfig): string {
  return Buffer.from(JSON.stringify(a)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Fills username/password from `auth` (base64 "user:pass") when only that is given. */
export function withUserFromAuth(a: AuthConfig): AuthConfig {
  if ((a.username || a.password) || !a.auth) return a;
  const plain = Buffer.from(a.auth, 'base64').toString('utf8');
  const i = plain.indexOf(':');
  if (i < 0) return a;
  return { ...a, username: plain.slice(0, i), password: plain.slice(i + 1) };
}

export function encodeBasicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}

/**
 * The registry host a login or config.json key names: "https://index.docker.io/v1/", "docker.io" and
 * "" are Docker Hub ("docker.io"); "http(s)://host:port/..." is "host:port".
 */
export function registryHostOf(serverAddress: string | undefined): string {
  let s = (serverAddress ?? '').trim();
  if (s === '' || s === DOCKER_HUB_AUTH_KEY) return 'docker.io';
  s = s.replace(/^[a-z]+:\/\//i, '');
  s = s.split('/')[0]!;
  if (s === 'index.docker.io' || s === 'registry-1.docker.io' || s === 'docker.io') return 'docker.io';
  return s;
}

/** The config.json `auths` key for a registry host: Docker Hub's legacy URL, else the host itself. */
export function authKeyFor(host: string): string {
  return registryHostOf(host) === 'docker.io' ? DOCKER_HUB_AUTH_KEY : registryHostOf(host);
}

/**
 * Decodes X-Registry-Config, the build's credentials: base64 JSON mapping a registry address (as
 * config.json keys it) to an AuthConfig. Undecodable means none, as with X-Registry-Auth.
 */
export function decodeRegistryConfig(header: string | undefined): Record<string, AuthConfig> {
  if (!header) return {};
  try {
    const parsed = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, AuthConfig> = {};
    for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      out[key] = decodeRegistryAuth(Buffer.from(JSON.stringify(v)).toString('base64'));
    }
    return out;
  } catch {
    return {};
  }
}

/** The credentials for one registry host out of such a map ("https://index.docker.io/v1/" is docker.io). */
export function authForRegistry(auths: Record<string, AuthConfig>, host: string): AuthConfig {
  const want = registryHostOf(host);
  for (const [key, a] of Object.entries(auths)) if (registryHostOf(key) === want) return a;
  return {};
}
