// The builder: runs a parsed Dockerfile against the image and container services, as Docker's classic
// builder does. Each step yields an image (the parent of the next), so the cache is "this parent + this
// recorded command -> that image", and the final image is the last step's. Metadata steps only change
// the config (history `#(nop)`, empty_layer); RUN runs a real container through the container service
// and its overlay upper directory becomes the layer; ADD/COPY/WORKDIR write into a private overlay
// mount of the parent's layers and take its upper directory likewise. Nothing half-made is left:
// every container and mount a build makes is removed in `finally`, and an image exists only once its
// layer and config are stored.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ContainerService } from '../containers/container-service.js';
import type { ImageService } from '../images/image-service.js';
import type { Lease } from '../images/leases.js';
import type { Logger } from '../../daemon/logger.js';
import { mountOverlay, unmountOverlay, isMounted } from '../../host/overlay.js';
import { readFileInRoot, resolveInRoot } from '../containers/scoped-path.js';
import { resolveUser } from '../containers/user-resolve.js';
import { InvalidParameterError, NotFoundError, SystemError } from '../../errors.js';
import type { AuthConfig } from '../../lib/distribution/auth-config.js';
import { shortId, type Digest } from '../../lib/oci/digest.js';
import type { HistoryEntry, ImageConfig, ImageRunConfig } from '../../lib/oci/types.js';
import { parseDockerfile, type ParsedDockerfile, type ParsedInstruction } from '../../lib/dockerfile/parser.js';
import { checkFlags, expandList, findStage, flagValue, neededStages, parseArgDecls, PREDEFINED_ARGS, splitStages, targetStage, type BuildPlan, type Stage } from '../../lib/dockerfile/stages.js';
import { applyMeta, commandOf, shellOf } from '../../lib/dockerfile/meta-steps.js';
import { joinWorkdir } from '../../lib/dockerfile/changes.js';
import { createdBy, nopCmd, nopCmdString, runCmdWithArgs } from '../../lib/dockerfile/created-by.js';
import { processWord } from '../../lib/dockerfile/words.js';
import { familiarString, parseNormalizedNamed, withTag } from '../../lib/reference/reference.js';
import { DockerfileParseError } from '../../lib/dockerfile/instruction.js';
import { goArch, compactRunConfig, BERTH_DOCKER_VERSION } from '../images/image-config.js';
import { digestOfSources, DiskSourceTree, type SourceTree } from './build-context.js';
import { receiveContext, type StreamedContext } from './streamed-context.js';
import { copyInto } from './copy-files.js';
import { commitContainer, type CommitOptions } from './commit.js';
import { diffTar, listDiff } from './layer-diff.js';
import { cacheKey, StepCache, stepSignature, whyMissed, type StepInputs } from './step-cache.js';

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  quiet: boolean;
  noCache: boolean;
  /** Remove intermediate containers after a successful step (default true). */
  rm: boolean;
  /** Remove them even when a step fails. */
  forceRm: boolean;
  pull: boolean;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  cacheFrom: string[];
  /** X-Registry-Config: credentials by registry, for base images pulled during the build. */
  registryAuth?: Record<string, AuthConfig>;
  signal?: AbortSignal;
}

/**
 * Fetches an image from its registry, its progress as Docker's JSON messages (berthd wires the
 * distribution service in; without one, only local images can be bases).
 */
export type ImagePuller = (ref: string, o: { auth: Record<string, AuthConfig>; signal?: AbortSignal; progress: (m: object) => void }) => Promise<void>;

/** Where a build's progress goes: lines of text (the `stream` messages) and the final image ID. */
export interface BuildOutput {
  stream(text: string): void;
  aux(id: Digest): void;
  /** A base image's pull progress, passed on as the JSON messages the docker CLI draws. */
  progress?(m: object): void;
}

/** A build whose context is unpacked and whose Dockerfile parsed: errors so far are the request's. */
export interface PreparedBuild {
  opts: BuildOptions;
  workDir: string;
  /** The context as received: a tree in memory, written to disk only for a step that copies from it. */
  context: StreamedContext;
  df: ParsedDockerfile;
  plan: BuildPlan;
  target: Stage;
  stages: number[];
  /** Set when the build runs: where a base image's pull progress goes. */
  output?: BuildOutput;
}

interface StageState {
  stage: Stage;
  imageId: Digest | null;
  image: ImageConfig;
  /** ARGs declared in the stage: name -> value (undefined: declared without a value). */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
  /** The previous step was rebuilt (not from cache) in this build. */
  rebuilt: boolean;
  stepIndex: number;
}

interface StepResult {
  config: ImageRunConfig;
  createdBy: string;
  /** Cmd recorded in container_config. */
  recordedCmd: string[];
  author?: string;
  /** What the layer is made from (none: an empty layer). */
  layer?: { upper: string; lowerTopFirst: string[] };
  containerId?: string;
}

const BUILD_LABEL = 'io.berth.build-step';

const SCRATCH_CONFIG = (): ImageConfig => ({ architecture: goArch(), os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] });

export class Builder {
  /** Pulls a missing base image (berthd sets it to the distribution service's pull). */
  pullImage: ImagePuller | null = null;
  private readonly cache: StepCache;
  private readonly tmpRoot: string;

  constructor(
    private readonly images: ImageService,
    private readonly containers: ContainerService,
    dataRoot: string,
    private readonly log: Logger,
  ) {
    this.cache = new StepCache(path.join(dataRoot, 'builder'));
    this.tmpRoot = path.join(dataRoot, 'builder', 'tmp');
  }

  /** Start-up: a build killed with the daemon leaves containers, mounts and temp directories; remove them. */
  async init(): Promise<void> {
    for (const v of await this.containers.list({ all: true, filters: { label: [BUILD_LABEL] } })) {
      await this.containers.remove(v.record.id, { force: true }).catch((e) => this.log.warn(`removing leftover build container ${v.record.id}`, e));
    }
    await this.cache.init();
    await fsp.mkdir(this.tmpRoot, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.tmpRoot)) {
      const dir = path.join(this.tmpRoot, name);
      await this.unmountAll(dir);
      await fsp.rm(dir, { recursive: true, force: true }).catch((e) => this.log.warn(`removing ${dir}`, e));
    }
  }

  private async unmountAll(dir: string): Promise<void> {
    for (const sub of await fsp.readdir(dir).catch(() => [] as string[])) {
      const merged = path.join(dir, sub, 'merged');
      if (await isMounted(merged).catch(() => false)) await unmountOverlay(merged, this.log).catch((e) => this.log.warn(`unmount ${merged}`, e));
    }
  }

  /** POST /commit (see commit.ts). */
  commitContainer(idOrName: string, o: CommitOptions): Promise<Digest> {
    return commitContainer(this.images, this.containers, this.log, idOrName, o);
  }

  /** Unpacks the context and parses the Dockerfile. Throws InvalidParameter errors (HTTP 400). */
  async prepare(context: AsyncIterable<Uint8Array>, opts: BuildOptions): Promise<PreparedBuild> {
    for (const t of opts.tags) checkTag(t);
    await fsp.mkdir(this.tmpRoot, { recursive: true, mode: 0o700 });
    const workDir = await fsp.mkdtemp(path.join(this.tmpRoot, 'build-'));
    let ctxToClose: StreamedContext | null = null;
    try {
      const ctx = await receiveContext(context, workDir, opts.dockerfile || 'Dockerfile', { ...(opts.signal ? { signal: opts.signal } : {}), warn: (m) => this.log.info(m) });
      ctxToClose = ctx;
      let df: ParsedDockerfile;
      let plan: BuildPlan;
      try {
        df = parseDockerfile(ctx.dockerfile);
        for (const ins of df.instructions) checkFlags(ins);
        plan = splitStages(df);
      } catch (e) {
        if (e instanceof DockerfileParseError) throw new InvalidParameterError(e.message);
        throw e;
      }
      // `--label` adds a LABEL step at the end of the target stage, as the classic builder does.
      const labelKeys = Object.keys(opts.labels);
      let target: Stage;
      try {
        target = targetStage(plan, opts.target);
      } catch (e) {
        throw new InvalidParameterError((e as Error).message);
      }
      if (labelKeys.length) {
        const text = 'LABEL ' + labelKeys.map((k) => `${JSON.stringify(k)}=${JSON.stringify(opts.labels[k])}`).join(' ');
        const extra = parseDockerfile(text).instructions[0]!;
        target.instructions.push({ ...extra, line: 0, endLine: 0 });
      }
      const metaEnv = this.metaArgValues(plan, df, opts);
      const stages = neededStages(plan, target, (s) => processWord(s.base, { env: metaEnv, escape: df.escape }));
      return { opts, workDir, context: ctx, df, plan, target, stages };
    } catch (e) {
      ctxToClose?.close();
      await fsp.rm(workDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Removes what prepare() made (when run() is not called). */
  async discard(b: PreparedBuild): Promise<void> {
    b.context.close();
    await fsp.rm(b.workDir, { recursive: true, force: true });
  }

  private metaArgValues(plan: BuildPlan, df: ParsedDockerfile, opts: BuildOptions): Map<string, string> {
    const env = new Map<string, string>();
    for (const ins of plan.metaArgs) {
      for (const [k, dflt] of parseArgDecls(ins.args, env, df.escape)) {
        const given = opts.buildArgs[k];
        const v = given !== undefined && given !== null ? given : dflt;
        if (v !== undefined) env.set(k, v);
      }
    }
    return env;
  }

  /** Runs a prepared build; returns the final image ID. Errors are the build's (sent in the stream). */
  async run(b: PreparedBuild, out: BuildOutput): Promise<Digest> {
    b.output = out;
    const lease = this.images.leases.open();
    const say = (t: string) => {
      if (!b.opts.quiet) out.stream(t);
    };
    const usedArgs = new Set<string>();
    try {
      const { df, plan } = b;
      const total = plan.metaArgs.length + b.stages.reduce((n, i) => n + 1 + plan.stages[i]!.instructions.length, 0);
      let n = 0;
      const stepLine = (ins: ParsedInstruction) => say(`Step ${++n}/${total} : ${ins.original}\n`);
      const metaEnv = new Map<string, string>();
      for (const ins of plan.metaArgs) {
        stepLine(ins);
        for (const [k, dflt] of parseArgDecls(ins.args, metaEnv, df.escape)) {
          const given = b.opts.buildArgs[k];
          if (given !== undefined) usedArgs.add(k);
          const v = given !== undefined && given !== null ? given : dflt;
          if (v !== undefined) metaEnv.set(k, v);
        }
      }
      const built = new Map<number, StageState>();
      let last: StageState | null = null;
      for (const idx of b.stages) {
        const stage = plan.stages[idx]!;
        stepLine(stage.from);
        const st = await this.fromStep(b, stage, metaEnv, built, lease);
        say(` ---> ${st.imageId ? shortId(st.imageId) : ''}\n`.replace(' ---> \n', ''));
        await this.runTriggers(b, st, say, lease, built);
        for (const ins of stage.instructions) {
          b.opts.signal?.throwIfAborted();
          stepLine(ins);
          await this.step(b, st, ins, say, lease, built, usedArgs, metaEnv);
          if (st.imageId) say(` ---> ${shortId(st.imageId)}\n`);
        }
        built.set(idx, st);
        last = st;
      }
      if (!last || !last.imageId) throw new InvalidParameterError('No image was generated. Is your Dockerfile empty?');
      const unused = Object.keys(b.opts.buildArgs).filter((k) => !usedArgs.has(k) && !PREDEFINED_ARGS.includes(k));
      if (unused.length) say(`[Warning] One or more build-args [${unused.sort().join(' ')}] were not consumed\n`);
      const id = last.imageId;
      out.aux(id);
      say(`Successfully built ${shortId(id)}\n`);
      for (const t of b.opts.tags) {
        await this.images.tag(id, t);
        say(`Successfully tagged ${normalTag(t)}\n`);
      }
      if (b.opts.quiet) out.stream(`${id}\n`);
      return id;
    } finally {
      b.context.close();
      await this.cache.flush().catch((e) => this.log.warn('writing the build cache index', e));
      lease.release();
      await this.unmountAll(b.workDir);
      await fsp.rm(b.workDir, { recursive: true, force: true }).catch((e) => this.log.warn(`removing ${b.workDir}`, e));
    }
  }

  // ---------------------------------------------------------------- FROM and ONBUILD

  private async fromStep(b: PreparedBuild, stage: Stage, metaEnv: Map<string, string>, built: Map<number, StageState>, _lease: Lease): Promise<StageState> {
    const base = processWord(stage.base, { env: metaEnv, escape: b.df.escape });
    const st: StageState = { stage, imageId: null, image: SCRATCH_CONFIG(), args: new Map(), cmdSet: false, rebuilt: false, stepIndex: 0 };
    if (base.toLowerCase() === 'scratch') return st;
    const dep = findStage(b.plan, base, stage.index);
    if (dep) {
      const s = built.get(dep.index);
      if (!s) throw new SystemError(`stage ${base} was not built`);
      st.imageId = s.imageId;
      st.image = structuredClone(s.image);
      return st;
    }
    const id = await this.baseImage(b, base, b.opts.pull);
    st.imageId = id;
    st.image = this.images.configOf(id);
    return st;
  }

  /**
   * A FROM or COPY --from image: the local one, else (or always, with pull=1) pulled from its registry
   * as the classic builder does, its progress in the build's stream. Without a registry client, or
   * when the name is not a valid reference, Docker's not-found wording.
   */
  private async baseImage(b: PreparedBuild, ref: string, alwaysPull: boolean): Promise<Digest> {
    let local: Digest | undefined;
    try {
      local = this.images.lookupId(ref);
    } catch {
      local = undefined;
    }
    if ((local === undefined || alwaysPull) && this.pullImage) {
      await this.pullImage(ref, {
        auth: b.opts.registryAuth ?? {},
        signal: b.opts.signal,
        progress: (m) => {
          if (!b.opts.quiet) b.output?.progress?.(m);
        },
      });
      return this.images.lookupId(ref);
    }
    return local ?? (await this.images.pullLocal(ref)).id;
  }

  private async runTriggers(b: PreparedBuild, st: StageState, say: (t: string) => void, lease: Lease, built: Map<number, StageState>): Promise<void> {
    const triggers = st.image.config?.OnBuild ?? [];
    if (!triggers.length) return;
    say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    // The triggers run as part of FROM; the image they make does not pass them on.
    if (st.image.config) st.image.config.OnBuild = null as unknown as string[];
    for (const t of triggers) {
      let ins: ParsedInstruction;
      try {
        ins = parseDockerfile(t).instructions[0]!;
        checkFlags(ins);
      } catch (e) {
        throw new InvalidParameterError(`failed to process ONBUILD trigger ${JSON.stringify(t)}: ${(e as Error).message}`);
      }
      await this.step(b, st, ins, say, lease, built, new Set(), new Map());
    }
    if (st.imageId) say(` ---> ${shortId(st.imageId)}\n`);
  }

  // ---------------------------------------------------------------- one step

  /** The substitution environment: declared build args, overlaid by the image's ENV. */
  private envOf(st: StageState): Map<string, string> {
    const env = new Map<string, string>();
    for (const [k, v] of st.args) if (v !== undefined) env.set(k, v);
    for (const e of st.image.config?.Env ?? []) {
      const i = e.indexOf('=');
      if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
    }
    return env;
  }

  /** Build args a RUN sees and records: declared, with a value, not shadowed by an ENV. */
  private runArgs(st: StageState): [string, string][] {
    const envNames = new Set((st.image.config?.Env ?? []).map((e) => e.split('=', 1)[0]!));
    return [...st.args].filter((a): a is [string, string] => a[1] !== undefined && !envNames.has(a[0]));
  }

  private async step(
    b: PreparedBuild,
    st: StageState,
    ins: ParsedInstruction,
    say: (t: string) => void,
    lease: Lease,
    built: Map<number, StageState>,
    usedArgs: Set<string>,
    metaEnv: Map<string, string>,
  ): Promise<void> {
    const escape = b.df.escape;
    const env = this.envOf(st);
    const cfg = st.image.config ?? {};
    const shell = shellOf(cfg);
    st.stepIndex++;
    // A Dockerfile sent from stdin gets a random name from the CLI: it is the same file every time.
    const dfName = b.opts.dockerfile.startsWith('.dockerfile.') ? '<stdin>' : b.opts.dockerfile;
    const sig = stepSignature([dfName, String(st.stage.index), String(st.stepIndex), ins.original]);

    if (ins.keyword === 'arg') {
      const decls = parseArgDecls(ins.args, env, escape);
      const parts: string[] = [];
      for (const [k, dflt] of decls) {
        const given = b.opts.buildArgs[k];
        if (given !== undefined) usedArgs.add(k);
        const v = given !== undefined && given !== null ? given : dflt !== undefined ? dflt : metaEnv.get(k);
        st.args.set(k, v);
        parts.push(dflt !== undefined ? `${k}=${dflt}` : k);
      }
      const comment = `ARG ${parts.join(' ')}`;
      await this.commit(b, st, sig, say, lease, { config: cfg, createdBy: createdBy(nopCmd(shell, comment)), recordedCmd: nopCmd(shell, comment) }, { args: {} });
      return;
    }

    const needsImage = ['run', 'copy', 'add', 'workdir'].includes(ins.keyword);
    if (!needsImage) {
      const r = applyMeta(cfg, ins, env, escape, st.cmdSet);
      if (r.cmdSet) st.cmdSet = true;
      // The classic builder records the step with the shell as it is after the step (SHELL shows its new one).
      const cmd = nopCmd(shellOf(r.config), r.comment);
      await this.commit(b, st, sig, say, lease, { config: r.config, createdBy: createdBy(cmd), recordedCmd: cmd, ...(r.author ? { author: r.author } : {}) }, { args: {} });
      return;
    }

    if (ins.keyword === 'workdir') {
      const r = applyMeta(cfg, ins, env, escape, st.cmdSet);
      const cmd = nopCmdString(shell, r.comment);
      await this.commit(b, st, sig, say, lease, { config: r.config, createdBy: createdBy(cmd), recordedCmd: cmd }, { args: {} }, async () => {
        const exists = await this.existsInImage(st, r.config.WorkingDir!);
        if (exists) return {};
        return this.withOverlay(b, st, async (root) => {
          await fsp.mkdir(path.join(root, r.config.WorkingDir!), { recursive: true, mode: 0o755 });
        });
      });
      return;
    }

    if (ins.keyword === 'run') {
      if (!st.imageId) throw new InvalidParameterError('RUN needs a base image with a shell: the stage is FROM scratch with nothing in it');
      const args = this.runArgs(st);
      for (const [k] of args) if (b.opts.buildArgs[k] !== undefined) usedArgs.add(k);
      let command = commandOf(ins, cfg);
      if (ins.heredocs.length && !ins.json) {
        // `RUN <<EOF` runs the heredoc as the script (Docker's classic builder with the labs syntax).
        // A lone `RUN <<EOF` runs the body as the script; `RUN cmd <<EOF` hands the heredoc to the shell.
        const h = ins.heredocs[0]!;
        const lone = /^<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?$/.test(ins.args.trim()) && ins.heredocs.length === 1;
        command = lone ? [...shell, h.content] : [...shell, `${ins.args}\n${ins.heredocs.map((x) => `${x.content}${x.name}`).join('\n')}`];
      }
      const recorded = runCmdWithArgs(command, args);
      const proxyEnv = PREDEFINED_ARGS.filter((k) => typeof b.opts.buildArgs[k] === 'string').map((k) => `${k}=${b.opts.buildArgs[k]}`);
      await this.commit(b, st, sig, say, lease, { config: cfg, createdBy: createdBy(recorded), recordedCmd: recorded }, { args: Object.fromEntries(args) }, () =>
        this.runContainer(b, st, cfg, command, [...args.map(([k, v]) => `${k}=${v}`), ...proxyEnv], say),
      );
      return;
    }

    // ADD / COPY
    const isAdd = ins.keyword === 'add';
    const words = ins.heredocs.length ? ins.args.split(/\s+/).filter(Boolean) : expandList(ins, env, escape);
    if (words.length < 2) throw new InvalidParameterError(`${ins.keyword.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
    const destRaw = words[words.length - 1]!;
    let srcs = words.slice(0, -1);
    const from = flagValue(ins, 'from', env, escape);
    const chown = flagValue(ins, 'chown', env, escape);
    const chmodText = flagValue(ins, 'chmod', env, escape);
    let chmod: number | undefined;
    if (chmodText !== undefined) {
      if (!/^[0-7]{3,4}$/.test(chmodText)) throw new InvalidParameterError(`invalid chmod parameter ${JSON.stringify(chmodText)}: only octal modes are supported`);
      chmod = parseInt(chmodText, 8);
    }
    for (const s of srcs) if (/^https?:\/\//.test(s)) throw new InvalidParameterError(`${ins.keyword.toUpperCase()} from a URL (${s}) is not supported: berth has no network for builds yet`);
    let tree: SourceTree = b.context;
    let release: (() => Promise<void>) | null = null;
    // Heredoc sources become files in a private directory.
    if (ins.heredocs.length) {
      const hd = path.join(b.workDir, `heredoc-${randomBytes(4).toString('hex')}`);
      await fsp.mkdir(hd);
      for (const h of ins.heredocs) await fsp.writeFile(path.join(hd, h.name), h.expand ? processWord(h.content, { env, escape }) : h.content, { mode: 0o644 });
      tree = new DiskSourceTree(hd, 'context');
      srcs = srcs.map((s) => s.replace(/^<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?$/, '$1'));
    }
    try {
      if (from !== undefined) {
        if (isAdd) throw new InvalidParameterError('ADD does not support --from');
        const dep = findStage(b.plan, from, st.stage.index);
        let imageId: Digest | null;
        if (dep) {
          const s = built.get(dep.index);
          if (!s) throw new SystemError(`stage ${from} was not built`);
          imageId = s.imageId;
        } else {
          imageId = await this.baseImage(b, from, false);
        }
        const m = await this.mountImage(b, imageId);
        tree = new DiskSourceTree(m.root, 'stage');
        release = m.release;
      }
      const selected: string[] = [];
      for (const s of srcs) selected.push(...(await tree.select(s)));
      const sources = await tree.hash(selected);
      const hashHex = digestOfSources(sources);
      const kind = selected.length > 1 ? 'multi' : (await tree.isDir(selected[0]!)) ? 'dir' : 'file';
      const dest = destRaw.startsWith('/') ? destRaw : joinWorkdir(cfg.WorkingDir ?? '/', destRaw) + (destRaw.endsWith('/') ? '/' : '');
      const comment = `${ins.keyword.toUpperCase()} ${kind}:${hashHex} in ${destRaw} `;
      const cmd = nopCmdString(shell, comment);
      const extra = `${chown ?? ''}|${chmod ?? ''}|${from ?? ''}|${dest}`;
      await this.commit(b, st, sig, say, lease, { config: cfg, createdBy: createdBy(cmd), recordedCmd: cmd }, { args: {}, sources, extra }, () =>
        this.withOverlay(b, st, async (root) => {
          let uid = 0;
          let gid = 0;
          if (chown) {
            const [passwd, group] = await Promise.all([readFileInRoot(root, '/etc/passwd'), readFileInRoot(root, '/etc/group')]);
            try {
              const u = resolveUser(chown, passwd, group);
              uid = u.uid;
              gid = chown.includes(':') ? u.gid : u.uid === 0 ? 0 : u.gid;
              if (!chown.includes(':') && /^\d+$/.test(chown)) gid = uid;
            } catch (e) {
              throw new InvalidParameterError(`unable to convert uid/gid chown string to host mapping: ${(e as Error).message}`);
            }
          }
          const srcRoot = await tree.materialize(selected);
          await copyInto({ srcRoot, sources: selected, destRoot: root, dest: dest.replace(/\/+$/, '') || '/', destIsDir: destRaw.endsWith('/') || destRaw.endsWith('/.'), uid, gid, ...(chmod !== undefined ? { chmod } : {}), extractArchives: isAdd });
        }),
      );
    } finally {
      if (release) await release();
    }
  }

  private async existsInImage(st: StageState, ctrPath: string): Promise<boolean> {
    if (!st.imageId) return false;
    const dirs = (await this.images.resolve(st.imageId)).layerDirs;
    return this.withLowerMount(dirs, async (root) => {
      const p = await resolveInRoot(root, ctrPath, true).catch(() => null);
      const s = p ? await fsp.stat(p).catch(() => null) : null;
      return !!s?.isDirectory();
    });
  }

  /** A read-only view of layer dirs: the top one alone needs no mount. */
  private async withLowerMount<T>(dirs: string[], fn: (root: string) => Promise<T>): Promise<T> {
    if (dirs.length === 0) return fn('/nonexistent-empty-root');
    const tmp = await fsp.mkdtemp(path.join(this.tmpRoot, 'view-'));
    const spec = { lower: [...dirs].reverse(), upper: path.join(tmp, 'upper'), work: path.join(tmp, 'work'), target: path.join(tmp, 'merged') };
    try {
      await mountOverlay(spec, this.log, { knownUnmounted: true });
      return await fn(spec.target);
    } finally {
      await unmountOverlay(spec.target, this.log).catch((e) => this.log.warn(`unmount ${spec.target}`, e));
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /** Mounts an image's layers (for COPY --from) until release(). */
  private async mountImage(b: PreparedBuild, imageId: Digest | null): Promise<{ root: string; release(): Promise<void> }> {
    const dirs = imageId ? (await this.images.resolve(imageId)).layerDirs : [];
    const tmp = await fsp.mkdtemp(path.join(b.workDir, 'from-'));
    if (!dirs.length) {
      await fsp.mkdir(path.join(tmp, 'merged'));
      return { root: path.join(tmp, 'merged'), release: async () => {} };
    }
    const spec = { lower: [...dirs].reverse(), upper: path.join(tmp, 'upper'), work: path.join(tmp, 'work'), target: path.join(tmp, 'merged') };
    await mountOverlay(spec, this.log, { knownUnmounted: true });
    return { root: spec.target, release: () => unmountOverlay(spec.target, this.log) };
  }

  /** A private overlay of the stage's image; fn writes into it; returns the upper dir as the layer. */
  private async withOverlay(b: PreparedBuild, st: StageState, fn: (root: string) => Promise<void>): Promise<Partial<StepResult>> {
    const dirs = st.imageId ? (await this.images.resolve(st.imageId)).layerDirs : [];
    const tmp = await fsp.mkdtemp(path.join(b.workDir, 'step-'));
    let lower = [...dirs].reverse();
    if (!lower.length) {
      await fsp.mkdir(path.join(tmp, 'empty'));
      lower = [path.join(tmp, 'empty')];
    }
    const spec = { lower, upper: path.join(tmp, 'upper'), work: path.join(tmp, 'work'), target: path.join(tmp, 'merged') };
    await mountOverlay(spec, this.log, { knownUnmounted: true });
    try {
      await fn(spec.target);
    } finally {
      await unmountOverlay(spec.target, this.log);
    }
    return { layer: { upper: spec.upper, lowerTopFirst: lower } };
  }

  /** RUN: a real container from the parent image; its output goes to the build stream. */
  private async runContainer(b: PreparedBuild, st: StageState, cfg: ImageRunConfig, command: string[], extraEnv: string[], say: (t: string) => void): Promise<Partial<StepResult>> {
    const { id } = await this.containers.create({
      config: {
        Image: st.imageId!,
        Cmd: command,
        Entrypoint: [''],
        Env: [...(cfg.Env ?? []), ...extraEnv],
        ...(cfg.User ? { User: cfg.User } : {}),
        ...(cfg.WorkingDir ? { WorkingDir: cfg.WorkingDir } : {}),
        AttachStdout: true,
        AttachStderr: true,
        // Marks the container as a build step's, so a daemon killed mid-build removes it at start-up.
        Labels: { [BUILD_LABEL]: 'true' },
      },
      hostConfig: {},
    });
    say(` ---> Running in ${shortId(id)}\n`);
    let ok = false;
    try {
      const att = await this.containers.attach(id, { stdout: true, stderr: true, stream: true, logs: false, onOutput: (_s, data) => say(data.toString('utf8')) });
      const onAbort = () => {
        this.log.info(`build cancelled by the client: killing step container ${id}`);
        void this.containers.kill(id, 'SIGKILL').catch((e) => this.log.warn(`killing build container ${id}`, e));
      };
      b.opts.signal?.addEventListener('abort', onAbort, { once: true });
      let code: number;
      try {
        b.opts.signal?.throwIfAborted();
        await this.containers.start(id);
        // A client gone between the check and the start: the listener was there, but make sure.
        if (b.opts.signal?.aborted) onAbort();
        code = (await this.containers.wait(id, 'not-running')).statusCode;
        await att.done.catch(() => {});
      } finally {
        b.opts.signal?.removeEventListener('abort', onAbort);
        att.close();
      }
      b.opts.signal?.throwIfAborted();
      if (code !== 0) throw new BuildStepError(`The command '${command.join(' ')}' returned a non-zero code: ${code}`);
      const d = this.containers.diffDir(id);
      ok = true;
      return { layer: { upper: d.upper, lowerTopFirst: [...d.layerDirs].reverse() }, containerId: id };
    } finally {
      // On success the container goes after its layer is taken (see commit); on failure now, unless
      // the client asked to keep it (rm=false without forcerm), as Docker leaves it.
      if (!ok && (b.opts.forceRm || b.opts.rm || b.opts.signal?.aborted)) await this.removeContainer(id, say, !b.opts.signal?.aborted);
    }
  }

  private async removeContainer(id: string, say: (t: string) => void, announce: boolean): Promise<void> {
    try {
      await this.containers.remove(id, { force: true });
      if (announce) say(`Removing intermediate container ${shortId(id)}\n`);
    } catch (e) {
      this.log.warn(`removing build container ${id}`, e);
    }
  }

  /**
   * Finishes a step: the cache first (unless --no-cache); otherwise make the layer (if any), store the
   * image with the parent's config + this step, and remember the step's inputs.
   */
  private async commit(
    b: PreparedBuild,
    st: StageState,
    sig: string,
    say: (t: string) => void,
    lease: Lease,
    r: StepResult,
    inputs: { args: Record<string, string>; sources?: Record<string, string>; extra?: string },
    produce?: () => Promise<Partial<StepResult>>,
  ): Promise<void> {
    const parent = st.imageId ?? 'scratch';
    const key = cacheKey(parent, r.createdBy, `${JSON.stringify(r.config)}|${inputs.extra ?? ''}|${JSON.stringify(st.image.config?.OnBuild ?? null)}`);
    const now: StepInputs = { parent, createdBy: r.createdBy, args: inputs.args, ...(inputs.sources ? { sources: inputs.sources } : {}), ...(st.rebuilt ? { parentRebuilt: true } : {}) };
    if (!b.opts.noCache) {
      const hit = await this.cache.lookup(key);
      if (hit && this.images.store.has(hit as Digest)) {
        say(' ---> Using cache\n');
        st.imageId = hit as Digest;
        st.image = this.images.configOf(hit);
        st.rebuilt = false;
        await this.cache.record(key, hit, sig, now);
        return;
      }
      const why = whyMissed(await this.cache.previous(sig), now);
      if (why) say(`${why}\n`);
    }
    const made = produce ? await produce() : {};
    try {
      const created = new Date().toISOString();
      const img = structuredClone(st.image);
      const author = r.author ?? img.author;
      let emptyLayer = true;
      if (made.layer) {
        const entries = await listDiff(made.layer.upper, made.layer.lowerTopFirst);
        if (entries.length) {
          const blob = await this.images.content.ingest(diffTar(made.layer.upper, entries), { lease, ...(b.opts.signal ? { signal: b.opts.signal } : {}) });
          img.rootfs.diff_ids = [...img.rootfs.diff_ids, blob.digest];
          emptyLayer = false;
        }
      }
      const history: HistoryEntry = { created, ...(author ? { author } : {}), created_by: r.createdBy, ...(emptyLayer ? { empty_layer: true } : {}) };
      const config: ImageConfig = {
        architecture: img.architecture || goArch(),
        ...(author ? { author } : {}),
        config: compactRunConfig({ ...r.config }),
        container: made.containerId ?? '',
        container_config: compactRunConfig({ ...r.config, Cmd: r.recordedCmd }),
        created,
        docker_version: BERTH_DOCKER_VERSION,
        history: [...(img.history ?? []), history],
        os: img.os || 'linux',
        rootfs: { type: 'layers', diff_ids: img.rootfs.diff_ids },
      };
      const bytes = Buffer.from(JSON.stringify(config));
      const id = await this.images.addImage(bytes, lease, () => {
        throw new SystemError('layer blob missing from the content store');
      }, { ...(st.imageId ? { parent: st.imageId } : {}), ...(b.opts.signal ? { signal: b.opts.signal } : {}) });
      st.imageId = id;
      st.image = config;
      st.rebuilt = true;
      await this.cache.record(key, id, sig, now);
    } finally {
      if (made.containerId && (b.opts.rm || b.opts.forceRm)) await this.removeContainer(made.containerId, say, true);
    }
  }
}

/** A build step that failed as the user's command did (its text is Docker's message). */
export class BuildStepError extends Error {}

/** The tag as Docker prints it: familiar name with the tag (":latest" added). */
function normalTag(t: string): string {
  const r = parseNormalizedNamed(t);
  return familiarString(r.tag || r.digest ? r : withTag(r, 'latest'));
}

/** Docker refuses a bad -t before building anything. */
function checkTag(t: string): void {
  try {
    const r = parseNormalizedNamed(t);
    if (r.digest) throw new Error('refusing to create a tag with a digest reference');
  } catch (e) {
    throw new InvalidParameterError(`invalid reference format: ${t}: ${(e as Error).message}`);
  }
}

export { NotFoundError };
