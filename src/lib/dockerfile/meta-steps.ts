// The build steps that only change the image config (no filesystem): what each does to the run config
// and the comment the classic builder records for it in history (`#(nop)  ENV A=1`). Pure: the builder
// passes the substitution environment (build args overlaid by the image's ENV) and applies the result.
import type { ImageRunConfig } from '../oci/types.js';
import { joinWorkdir, parseExposedPorts, parseHealthcheck, SIGNAL_RE } from './changes.js';
import { goList, goQuoteList, healthcheckComment } from './created-by.js';
import { DockerfileParseError } from './instruction.js';
import type { ParsedInstruction } from './parser.js';
import { expandList, expandNameValues } from './stages.js';
import { processWord, splitWords, type Env } from './words.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export interface MetaResult {
  config: ImageRunConfig;
  comment: string;
  /** MAINTAINER sets the image's author. */
  author?: string;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet?: boolean;
}

/** Docker replaces a variable in place (keeping the list's order) or appends it. */
export function setEnv(env: readonly string[], name: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e.split('=', 1)[0] === name);
  if (i >= 0) out[i] = `${name}=${value}`;
  else out.push(`${name}=${value}`);
  return out;
}


export const shellOf = (c: ImageRunConfig): string[] => (c.Shell && c.Shell.length ? c.Shell : DEFAULT_SHELL);

/** The command of RUN/CMD/ENTRYPOINT: exec form as is, shell form wrapped in the current SHELL. */
export function commandOf(ins: ParsedInstruction, c: ImageRunConfig): string[] {
  return ins.json ?? [...shellOf(c), ins.args];
}

/**
 * Applies a metadata instruction (CMD, ENTRYPOINT, ENV, LABEL, MAINTAINER, EXPOSE, USER, VOLUME,
 * STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD; WORKDIR's config part) to a copy of `base`.
 */
export function applyMeta(base: ImageRunConfig, ins: ParsedInstruction, env: Env, escape: string, cmdSetInStage: boolean): MetaResult {
  const c = JSON.parse(JSON.stringify(base)) as ImageRunConfig;
  const kw = ins.keyword;
  switch (kw) {
    case 'cmd': {
      c.Cmd = commandOf(ins, c);
      return { config: c, comment: `CMD ${goQuoteList(c.Cmd)}`, cmdSet: true };
    }
    case 'entrypoint': {
      if (ins.json) c.Entrypoint = ins.json;
      else if (ins.args === '') c.Entrypoint = null;
      else c.Entrypoint = [...shellOf(c), ins.args];
      // An ENTRYPOINT drops a CMD inherited from the base image (not one this stage set).
      if (!cmdSetInStage) c.Cmd = null;
      return { config: c, comment: `ENTRYPOINT ${goQuoteList(c.Entrypoint)}` };
    }
    case 'env': {
      const pairs = expandNameValues(ins.args, 'env', env, escape);
      let list = c.Env ?? [];
      for (const [k, v] of pairs) list = setEnv(list, k, v);
      c.Env = list;
      return { config: c, comment: 'ENV ' + pairs.map(([k, v]) => `${k}=${v}`).join(' ') };
    }
    case 'label': {
      const pairs = expandNameValues(ins.args, 'label', env, escape);
      const labels = c.Labels ?? {};
      for (const [k, v] of pairs) labels[k] = v;
      c.Labels = labels;
      return { config: c, comment: 'LABEL ' + pairs.map(([k, v]) => `${k}=${v}`).join(' ') };
    }
    case 'maintainer': {
      if (ins.args === '') throw new DockerfileParseError('MAINTAINER requires exactly one argument', ins.line);
      return { config: c, comment: `MAINTAINER ${ins.args}`, author: ins.args };
    }
    case 'expose': {
      const words = splitWords(ins.args, { env, escape });
      if (!words.length) throw new DockerfileParseError('EXPOSE requires at least one argument', ins.line);
      const ports = c.ExposedPorts ?? {};
      for (const p of parseExposedPorts(words)) ports[p] = {};
      c.ExposedPorts = ports;
      return { config: c, comment: `EXPOSE ${words.join(' ')}` };
    }
    case 'user': {
      if (ins.args === '') throw new DockerfileParseError('USER requires exactly one argument', ins.line);
      c.User = processWord(ins.args, { env, escape });
      return { config: c, comment: `USER ${c.User}` };
    }
    case 'volume': {
      const vols = expandList(ins, env, escape);
      if (!vols.length) throw new DockerfileParseError('VOLUME requires at least one argument', ins.line);
      const map = c.Volumes ?? {};
      for (const v of vols) {
        if (v.trim() === '') throw new DockerfileParseError('VOLUME specified can not be an empty string', ins.line);
        map[v] = {};
      }
      c.Volumes = map;
      return { config: c, comment: `VOLUME ${goList(vols)}` };
    }
    case 'stopsignal': {
      const sig = processWord(ins.args, { env, escape }).trim();
      if (!SIGNAL_RE.test(sig)) throw new DockerfileParseError(`Invalid signal: ${sig}`, ins.line);
      c.StopSignal = sig;
      return { config: c, comment: `STOPSIGNAL ${sig}` };
    }
    case 'healthcheck': {
      const rest = ins.original.replace(/^\S+\s*/, '');
      c.Healthcheck = parseHealthcheck(rest);
      return { config: c, comment: `HEALTHCHECK ${healthcheckComment(c.Healthcheck)}` };
    }
    case 'shell': {
      if (!ins.json) throw new DockerfileParseError('SHELL requires the arguments to be in JSON form', ins.line);
      if (!ins.json.length) throw new DockerfileParseError('SHELL requires at least one argument', ins.line);
      c.Shell = ins.json;
      return { config: c, comment: `SHELL ${goList(ins.json)}` };
    }
    case 'onbuild': {
      const trigger = ins.args;
      const k = (/^\S+/.exec(trigger)?.[0] ?? '').toUpperCase();
      if (k === '') throw new DockerfileParseError('ONBUILD requires at least one argument', ins.line);
      if (k === 'ONBUILD') throw new DockerfileParseError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", ins.line);
      if (k === 'FROM' || k === 'MAINTAINER') throw new DockerfileParseError(`${k} isn't allowed as an ONBUILD trigger`, ins.line);
      c.OnBuild = [...(c.OnBuild ?? []), trigger];
      return { config: c, comment: `ONBUILD ${trigger}` };
    }
    case 'workdir': {
      if (ins.args === '') throw new DockerfileParseError('WORKDIR requires exactly one argument', ins.line);
      c.WorkingDir = joinWorkdir(c.WorkingDir ?? '', processWord(ins.args, { env, escape }));
      return { config: c, comment: `WORKDIR ${c.WorkingDir}` };
    }
    default:
      throw new Error(`${kw} is not a metadata instruction`);
  }
}
