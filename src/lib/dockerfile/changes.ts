// Applying Dockerfile instructions to an image's run config without running anything: what
// `docker import --change` and `docker commit --change` do (Docker's BuildFromConfig). Only the
// instructions Docker accepts there are allowed; the others are refused with Docker's message.
import type { HealthcheckConfig, ImageRunConfig } from '../oci/types.js';
import { parseGoDuration } from './duration.js';
import { DockerfileParseError, parseInstruction, type Instruction } from './instruction.js';
import { envMap, parseNameValues, processWord, splitWords, type WordOptions } from './words.js';

/** Docker's validCommitCommands. */
export const CHANGE_INSTRUCTIONS = ['cmd', 'entrypoint', 'env', 'expose', 'healthcheck', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir'] as const;

const DEFAULT_SHELL = ['/bin/sh', '-c'];

function cloneConfig(c: ImageRunConfig): ImageRunConfig {
  return JSON.parse(JSON.stringify(c)) as ImageRunConfig;
}

/** Exec form as is; shell form wrapped in the shell (`["/bin/sh","-c","..."]` by default). */
export function commandForm(ins: Instruction, shell: string[] = DEFAULT_SHELL): string[] {
  if (ins.json) return ins.json;
  return [...shell, ins.args];
}

/** "80", "80/udp", "8000-8002/tcp" -> ["80/tcp"], ["80/udp"], ["8000/tcp","8001/tcp","8002/tcp"]. */
export function parseExposedPorts(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw new DockerfileParseError(`invalid containerPort: ${w}`);
    const start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : start;
    const proto = (m[3] ?? 'tcp').toLowerCase();
    if (start < 1 || end > 65535 || end < start) throw new DockerfileParseError(`invalid containerPort: ${w}`);
    for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  }
  return out;
}

/** Docker replaces a variable in place (keeping the list's order) or appends a new one. */
function setEnv(env: string[], name: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e.split('=', 1)[0] === name);
  if (i >= 0) out[i] = `${name}=${value}`;
  else out.push(`${name}=${value}`);
  return out;
}

/** posix path join + clean for WORKDIR (relative to the current one, as Docker does). */
export function joinWorkdir(cur: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${cur || '/'}/${p}`;
  const parts: string[] = [];
  for (const c of abs.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return '/' + parts.join('/');
}

/** A stop signal as Docker takes it: a name with or without SIG, or a number. */
export const SIGNAL_RE = /^(?:SIG)?[A-Z][A-Z0-9+-]*$|^\d+$/;

/**
 * Applies change instructions (each one Dockerfile line, e.g. `CMD ["sh"]`, `ENV A=1`) to a copy of
 * `base`. Throws DockerfileParseError with Docker's wording on a bad or disallowed instruction.
 */
export function applyChanges(base: ImageRunConfig, changes: string[]): ImageRunConfig {
  const c = cloneConfig(base);
  let cmdSet = false;
  for (const text of changes) {
    if (text.trim() === '') continue;
    const ins = parseInstruction(text);
    if (!(CHANGE_INSTRUCTIONS as readonly string[]).includes(ins.keyword)) {
      throw new DockerfileParseError(`${ins.keyword} is not a valid change command`);
    }
    applyOne(c, ins, () => cmdSet, () => (cmdSet = true));
  }
  return c;
}

function applyOne(c: ImageRunConfig, ins: Instruction, cmdWasSet: () => boolean, markCmd: () => void): void {
  const shell = c.Shell && c.Shell.length ? c.Shell : DEFAULT_SHELL;
  // Docker substitutes the image's environment (as it stands before this instruction) into these
  // instructions' arguments; CMD and ENTRYPOINT are left to the shell at run time.
  const words: WordOptions = { env: envMap(c.Env) };
  switch (ins.keyword) {
    case 'cmd':
      c.Cmd = commandForm(ins, shell);
      markCmd();
      break;
    case 'entrypoint':
      if (ins.json) c.Entrypoint = ins.json.length ? ins.json : null;
      else if (ins.args === '') c.Entrypoint = null;
      else c.Entrypoint = [...shell, ins.args];
      // Docker: a new ENTRYPOINT drops an inherited CMD unless CMD was given in the same set of changes.
      if (!cmdWasSet()) c.Cmd = null;
      break;
    case 'env': {
      let env = c.Env ?? [];
      for (const [k, v] of parseNameValues(ins.args, 'ENV', words)) env = setEnv(env, k, v);
      c.Env = env;
      break;
    }
    case 'label': {
      const labels = c.Labels ?? {};
      for (const [k, v] of parseNameValues(ins.args, 'LABEL', words)) labels[k] = v;
      c.Labels = labels;
      break;
    }
    case 'expose': {
      const ws = splitWords(ins.args, words);
      if (!ws.length) throw new DockerfileParseError('EXPOSE requires at least one argument');
      const ports = c.ExposedPorts ?? {};
      for (const p of parseExposedPorts(ws)) ports[p] = {};
      c.ExposedPorts = ports;
      break;
    }
    case 'workdir':
      if (ins.args === '') throw new DockerfileParseError('WORKDIR requires exactly one argument');
      c.WorkingDir = joinWorkdir(c.WorkingDir ?? '', processWord(ins.args, words));
      break;
    case 'user':
      if (ins.args === '') throw new DockerfileParseError('USER requires exactly one argument');
      c.User = processWord(ins.args, words);
      break;
    case 'volume': {
      const vols = ins.json ? ins.json.map((v) => processWord(v, words)) : splitWords(ins.args, words);
      if (!vols.length) throw new DockerfileParseError('VOLUME requires at least one argument');
      const map = c.Volumes ?? {};
      for (const v of vols) {
        if (v.trim() === '') throw new DockerfileParseError('VOLUME specified can not be an empty string');
        map[v] = {};
      }
      c.Volumes = map;
      break;
    }
    case 'stopsignal': {
      const sig = processWord(ins.args, words).trim();
      if (!SIGNAL_RE.test(sig)) throw new DockerfileParseError(`Invalid signal: ${sig}`);
      c.StopSignal = sig;
      break;
    }
    case 'healthcheck':
      c.Healthcheck = parseHealthcheck(ins.args);
      break;
    case 'onbuild': {
      const trigger = parseInstruction(ins.args);
      if (trigger.keyword === 'onbuild') throw new DockerfileParseError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger.keyword === 'from' || trigger.keyword === 'maintainer') throw new DockerfileParseError(`${trigger.keyword.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      c.OnBuild = [...(c.OnBuild ?? []), `${trigger.keyword.toUpperCase()} ${trigger.args}`.trim()];
      break;
    }
  }
}

/**
 * HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D] [--retries=N] CMD ...
 * or HEALTHCHECK NONE, as Docker's dispatcher reads it. Durations are nanoseconds in the config.
 */
export function parseHealthcheck(args: string): HealthcheckConfig {
  let rest = args.trim();
  const hc: HealthcheckConfig = {};
  for (;;) {
    const m = /^--([a-z-]+)=(\S*)\s*/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    const [, flag, value] = m as unknown as [string, string, string];
    const duration = (name: string) => {
      const ns = parseGoDuration(value);
      if (ns !== 0 && ns < 1e6) throw new DockerfileParseError(`Interval "${name}" cannot be less than 1ms`);
      return ns;
    };
    switch (flag) {
      case 'interval':
        hc.Interval = duration('interval');
        break;
      case 'timeout':
        hc.Timeout = duration('timeout');
        break;
      case 'start-period':
        hc.StartPeriod = duration('start-period');
        break;
      case 'start-interval':
        hc.StartInterval = duration('start-interval');
        break;
      case 'retries': {
        const n = Number(value);
        if (!Number.isInteger(n)) throw new DockerfileParseError(`strconv.ParseInt: parsing "${value}": invalid syntax`);
        if (n < 0) throw new DockerfileParseError('--retries cannot be negative');
        hc.Retries = n;
        break;
      }
      default:
        throw new DockerfileParseError(`Unknown flag: ${flag}`);
    }
  }
  if (rest === '') throw new DockerfileParseError('Missing command after HEALTHCHECK');
  if (rest.toUpperCase() === 'NONE') {
    if (Object.keys(hc).length) throw new DockerfileParseError('HEALTHCHECK NONE takes no other arguments');
    return { Test: ['NONE'] };
  }
  const sub = parseInstruction(rest);
  if (sub.keyword !== 'cmd') throw new DockerfileParseError(`Unknown type "${sub.keyword.toUpperCase()}" in HEALTHCHECK (try CMD)`);
  if (sub.json) hc.Test = ['CMD', ...sub.json];
  else if (sub.args) hc.Test = ['CMD-SHELL', sub.args];
  else throw new DockerfileParseError('Missing command after HEALTHCHECK CMD');
  return hc;
}
