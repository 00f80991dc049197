// Pure rules that turn a create request plus the image's config into the container's effective
// Config, as Docker's daemon merges them (daemon/create.go merge + getEntrypointAndArgs): an
// Entrypoint given in the request resets the image's Cmd; Env is merged by key with the request's
// entries first; User, WorkingDir, StopSignal fall back to the image's; Labels and Volumes merge.
import path from 'node:path/posix';
import { InvalidParameterError } from '../../errors.js';
import { validateName } from '../../lib/names/index.js';
import type { ContainerConfig } from '../../api/types/containers.js';

export interface MergedConfig {
  config: ContainerConfig;
  path: string;
  args: string[];
}

function envKey(e: string): string {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
}

/** Request entries first, then the image's entries whose key the request did not set. */
export function mergeEnv(user: string[] | null | undefined, image: string[] | null | undefined): string[] {
  const u = user ?? [];
  const img = image ?? [];
  if (u.length === 0) return [...img];
  const keys = new Set(u.map(envKey));
  return [...u, ...img.filter((e) => !keys.has(envKey(e)))];
}

function nonEmpty(a: string[] | null | undefined): a is string[] {
  return Array.isArray(a) && a.length > 0;
}

export function mergeConfig(req: ContainerConfig, image: ContainerConfig): MergedConfig {
  const c: ContainerConfig = { ...req };
  if (!c.User) c.User = image.User ?? '';
  c.Env = mergeEnv(req.Env, image.Env);
  const labels = { ...(image.Labels ?? {}), ...(req.Labels ?? {}) };
  c.Labels = labels;
  if (image.ExposedPorts || req.ExposedPorts) c.ExposedPorts = { ...(image.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) };
  if (image.Volumes || req.Volumes) c.Volumes = { ...(image.Volumes ?? {}), ...(req.Volumes ?? {}) };

  // `--entrypoint ""` arrives as [""]: it clears the image's entrypoint and, being "given", also
  // keeps the image's Cmd out, as Docker does.
  const entrypointGiven = nonEmpty(req.Entrypoint);
  if (!entrypointGiven) {
    if (!nonEmpty(req.Cmd)) c.Cmd = image.Cmd ?? null;
    c.Entrypoint = image.Entrypoint ?? null;
  } else if (req.Entrypoint!.length === 1 && req.Entrypoint![0] === '') {
    c.Entrypoint = null;
  }
  if (!c.WorkingDir) c.WorkingDir = image.WorkingDir ?? '';
  if (c.WorkingDir) {
    if (!c.WorkingDir.startsWith('/')) {
      throw new InvalidParameterError(`the working directory '${c.WorkingDir}' is invalid, it needs to be an absolute path`);
    }
    const clean = path.normalize(c.WorkingDir);
    c.WorkingDir = clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
  }
  if (!c.StopSignal && image.StopSignal) c.StopSignal = image.StopSignal;
  if (!c.Healthcheck && image.Healthcheck) c.Healthcheck = image.Healthcheck;
  if (!c.Shell && image.Shell) c.Shell = image.Shell;

  const entrypoint = c.Entrypoint ?? [];
  const cmd = c.Cmd ?? [];
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new InvalidParameterError('No command specified');
  return { config: c, path: argv[0]!, args: argv.slice(1) };
}

/** Docker's rule for container names (with an optional leading slash), from lib/names. */
export function validateContainerName(name: string): string {
  return validateName(name);
}

/** The process environment: Config.Env plus what Docker adds at start (PATH if missing, HOSTNAME, TERM with a tty). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function processEnv(env: string[], hostname: string, tty: boolean): string[] {
  // Docker's CreateDaemonEnvironment: its defaults first, then Config.Env replacing same-key entries
  // in place or appending.
  const out: string[] = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`];
  if (tty) out.push('TERM=xterm');
  for (const e of env) {
    const i = out.findIndex((o) => envKey(o) === envKey(e));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}
