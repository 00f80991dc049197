// Pure planning of a build: a parsed Dockerfile split into stages (the ARGs before the first FROM are
// "meta args" usable only in FROM lines), the stage a --target names, and which stages that target
// needs (FROM <stage>, COPY --from=<stage>), so unneeded stages are never built. Also the variable
// substitution rules: which instructions Docker expands with the build environment.
import { DockerfileParseError } from './instruction.js';
import type { ParsedDockerfile, ParsedInstruction } from './parser.js';
import { parseNameValues, processWord, splitWords, type Env } from './words.js';

/** Docker substitutes variables in these (and in FROM with the meta args); not in RUN/CMD/ENTRYPOINT
 * (the shell does), not in ONBUILD (the trigger is substituted when it runs), not in HEALTHCHECK/SHELL. */
export const EXPANDED_KEYWORDS = new Set(['add', 'copy', 'env', 'expose', 'from', 'label', 'stopsignal', 'user', 'volume', 'workdir', 'arg']);

/** Build args every build knows without an ARG line (Docker's predefined proxy args). */
export const PREDEFINED_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export interface Stage {
  index: number;
  /** Lower-cased `AS name`, if any. */
  name?: string;
  /** The base as written (before substitution with the meta args). */
  base: string;
  platform?: string;
  from: ParsedInstruction;
  instructions: ParsedInstruction[];
}

export interface BuildPlan {
  metaArgs: ParsedInstruction[];
  stages: Stage[];
}

/** ARG lines as [name, default|undefined]. */
export function parseArgDecls(args: string, env?: Env, escape = '\\'): [string, string | undefined][] {
  const words = splitWords(args, { escape });
  if (!words.length) throw new DockerfileParseError('ARG requires at least one argument');
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq === 0) throw new DockerfileParseError(`ARG names can not be blank`);
    if (eq === -1) return [w, undefined];
    const raw = w.slice(eq + 1);
    return [w.slice(0, eq), env ? processWord(raw, { env, escape }) : raw];
  });
}

export function splitStages(df: ParsedDockerfile): BuildPlan {
  const metaArgs: ParsedInstruction[] = [];
  const stages: Stage[] = [];
  for (const ins of df.instructions) {
    if (ins.keyword === 'from') {
      const words = splitWords(ins.args, { escape: df.escape });
      let name: string | undefined;
      if (words.length === 3 && words[1]!.toLowerCase() === 'as') {
        name = words[2]!.toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(name)) throw new DockerfileParseError(`invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`, ins.line);
      } else if (words.length !== 1) {
        throw new DockerfileParseError('FROM requires either one or three arguments', ins.line);
      }
      const platform = ins.flags.find((f) => f.name === 'platform')?.value ?? undefined;
      for (const f of ins.flags) if (f.name !== 'platform') throw new DockerfileParseError(`unknown flag: ${f.name}`, ins.line);
      stages.push({ index: stages.length, ...(name ? { name } : {}), base: words[0]!, ...(platform ? { platform } : {}), from: ins, instructions: [] });
      continue;
    }
    const cur = stages[stages.length - 1];
    if (!cur) {
      if (ins.keyword === 'arg') {
        metaArgs.push(ins);
        continue;
      }
      throw new DockerfileParseError('no build stage in current context', ins.line);
    }
    cur.instructions.push(ins);
  }
  if (!stages.length) throw new DockerfileParseError('file with no instructions');
  return { metaArgs, stages };
}

/** The stage a name or index refers to (names are case-insensitive), or undefined. */
export function findStage(plan: BuildPlan, ref: string, before = plan.stages.length): Stage | undefined {
  const lower = ref.toLowerCase();
  const byName = plan.stages.slice(0, before).find((s) => s.name === lower);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    if (n < before) return plan.stages[n];
  }
  return undefined;
}

/** The target stage: the named one, or the last. Docker's error when the name is unknown. */
export function targetStage(plan: BuildPlan, target?: string): Stage {
  if (!target) return plan.stages[plan.stages.length - 1]!;
  const s = plan.stages.find((x) => x.name === target.toLowerCase());
  if (!s) throw new DockerfileParseError(`failed to reach build target ${target} in Dockerfile`);
  return s;
}

/**
 * Stage indexes the target needs, in build order. `resolveBase` substitutes meta args into a FROM
 * base so `FROM ${BASE}` naming a stage is followed too.
 */
export function neededStages(plan: BuildPlan, target: Stage, resolveBase: (s: Stage) => string = (s) => s.base): number[] {
  const need = new Set<number>();
  const visit = (s: Stage) => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const base = findStage(plan, resolveBase(s), s.index);
    if (base) visit(base);
    for (const ins of s.instructions) {
      if (ins.keyword !== 'copy') continue;
      const from = ins.flags.find((f) => f.name === 'from')?.value;
      if (!from) continue;
      const dep = findStage(plan, from, s.index);
      if (dep) visit(dep);
    }
  };
  visit(target);
  return [...need].sort((a, b) => a - b);
}

/** ENV/LABEL pairs with Docker's substitution. */
export function expandNameValues(args: string, keyword: string, env: Env, escape: string): [string, string][] {
  return parseNameValues(args, keyword.toUpperCase(), { env, escape });
}

/** ADD/COPY/VOLUME arguments: the JSON list or whitespace-separated words, each substituted. */
export function expandList(ins: ParsedInstruction, env: Env | undefined, escape: string): string[] {
  if (ins.json) return env ? ins.json.map((w) => processWord(w, { env, escape })) : ins.json;
  return splitWords(ins.args, { escape, ...(env ? { env } : {}) });
}

/** A flag's value with substitution (Docker expands --chown, --chmod and --from). */
export function flagValue(ins: ParsedInstruction, name: string, env: Env, escape: string): string | undefined {
  const f = ins.flags.find((x) => x.name === name);
  if (!f) return undefined;
  return processWord(f.value ?? '', { env, escape });
}

/** Flags an instruction accepts; anything else is Docker's "unknown flag" error. */
const ALLOWED_FLAGS: Record<string, string[]> = {
  add: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
  copy: ['chown', 'chmod', 'from', 'link', 'parents', 'exclude'],
  run: ['mount', 'network', 'security'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
  from: ['platform'],
};

export function checkFlags(ins: ParsedInstruction): void {
  const allowed = ALLOWED_FLAGS[ins.keyword] ?? [];
  for (const f of ins.flags) {
    if (!allowed.includes(f.name)) throw new DockerfileParseError(`unknown flag: ${f.name}`, ins.line);
  }
}
