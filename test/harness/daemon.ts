// A real berthd for one test file: its own data root, exec root, socket, bridge and subnet, the busybox
// base image imported, and everything removed afterwards (see leftovers.ts). Tests talk to it through
// the real docker CLI (`docker`), berth's CLI (`berth`) or raw requests (`api`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { apiRequest, waitForPing, type ApiRequestOptions, type ApiResponse } from './api.js';
import { run, shQuote, type RunOptions, type RunResult } from './exec.js';
import { removeLeftovers, processesMentioning } from './leftovers.js';
import { takeSlot, type Slot } from './slots.js';
import { BERTHD_BIN, BERTH_BIN, BUSYBOX_TAR, DOCKER_BIN, DOCKERD_BIN } from './paths.js';

/** What startDaemon needs from a test context: node:test's TestContext, or `{ after }` from node:test. */
/** Where the logs of daemons that died unexpectedly are kept (cleanup removes their own directory). */
export const KEPT_LOG_DIR = path.join(os.tmpdir(), 'berth-test-logs');

export interface AfterHook {
  after(fn: () => Promise<void> | void): void;
}

export interface DaemonOptions {
  /** Import .cache/busybox-rootfs.tar as busybox:latest (CMD ["sh"]) once the daemon answers. Default true. */
  busybox?: boolean;
  /** Extra berthd flags. */
  args?: string[];
  /** Milliseconds to wait for /_ping. Default 20 s. */
  startTimeout?: number;
  /**
   * Which engine to start: berthd (default), or Debian's dockerd 20.10 as the reference, to check that
   * the suites' expectations are Docker's behaviour (BERTH_TEST_ENGINE=dockerd) and for the bench.
   */
  engine?: 'berthd' | 'dockerd';
}

export class TestDaemon {
  readonly base: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly host: string;
  readonly pidfile: string;
  readonly logFile: string;
  readonly bridge: string;
  readonly bip: string;
  /** DOCKER_CONFIG for the docker CLI: an empty directory, so no user config or context interferes. */
  readonly dockerConfig: string;
  readonly engine: 'berthd' | 'dockerd';
  proc: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly slot: Slot;
  /** Set while the harness itself stops the daemon: any other exit is a crash worth reporting. */
  private stopping = false;

  constructor(readonly options: DaemonOptions = {}) {
    this.slot = takeSlot();
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-test-'));
    this.dataRoot = path.join(this.base, 'data');
    this.execRoot = path.join(this.base, 'exec');
    this.socket = path.join(this.execRoot, 'berth.sock');
    this.host = `unix://${this.socket}`;
    this.pidfile = path.join(this.base, 'berthd.pid');
    this.logFile = path.join(this.base, 'berthd.log');
    this.dockerConfig = path.join(this.base, 'docker-config');
    this.bridge = this.slot.bridge;
    this.bip = this.slot.bip;
    this.engine = options.engine ?? (process.env.BERTH_TEST_ENGINE === 'dockerd' ? 'dockerd' : 'berthd');
    fs.mkdirSync(this.dockerConfig, { recursive: true });
    fs.writeFileSync(path.join(this.slot.dir, 'base'), this.base);
  }

  /** The API version the engine reports: berth's 1.45, or 1.41 for the reference dockerd 20.10. */
  get apiVersion(): string {
    return this.engine === 'dockerd' ? '1.41' : '1.45';
  }

  get pid(): number | undefined {
    return this.proc?.exitCode === null && this.proc.signalCode === null ? this.proc.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** Starts berthd with this daemon's roots (also after stop(): same roots, same state). */
  async start(): Promise<void> {
    if (this.running) throw new Error('test daemon already running');
    const [cmd, args] = this.engine === 'dockerd' ? await this.dockerdCommand() : [process.execPath, this.berthdArgs()];
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n==== harness: starting ${this.engine} at ${new Date().toISOString()}: ${args.join(' ')}\n`);
    const proc = spawn(cmd, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.proc = proc;
    this.stopping = false;
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        if (!this.stopping) this.reportUnexpectedExit(code, signal);
        resolve(code);
      }),
    );
    try {
      await waitForPing(this.socket, this.options.startTimeout ?? 20_000, () => proc.exitCode === null && proc.signalCode === null);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- ${this.engine} log (tail) ---\n${this.logTail()}`);
    }
  }

  private berthdArgs(): string[] {
    return [
      BERTHD_BIN,
      '-H', this.host,
      '--data-root', this.dataRoot,
      '--exec-root', this.execRoot,
      '--pidfile', this.pidfile,
      '--bridge', this.bridge,
      '--bip', this.bip,
      // Names the embedded DNS does not know go to loopback, never to the host's resolvers: tests
      // send no traffic off this machine.
      '--dns', '127.0.0.1',
      // Likewise docker.io images: a pull that no --registry-mirror serves ends at loopback, never
      // at Docker Hub.
      '--docker-hub-url', 'http://127.0.0.1:9',
      '--log-level', 'debug',
      ...(this.options.args ?? []),
    ];
  }

  /**
   * dockerd 20.10 with its own roots, socket and bridge. `-b` and `--bip` are exclusive in dockerd, so
   * the bridge is made here with the slot's address; never `--bridge=none` (dockerd would then delete
   * the host's docker0). No iptables changes; --live-restore so containers outlive a restart as berth's do.
   */
  private async dockerdCommand(): Promise<[string, string[]]> {
    if (!fs.existsSync(`/sys/class/net/${this.bridge}`)) {
      for (const a of [['link', 'add', 'name', this.bridge, 'type', 'bridge'], ['addr', 'add', this.bip, 'dev', this.bridge], ['link', 'set', this.bridge, 'up']]) {
        const r = await run('ip', a);
        if (r.code !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr}`);
      }
    }
    return [DOCKERD_BIN, [
      '-H', this.host,
      '--data-root', this.dataRoot,
      '--exec-root', this.execRoot,
      '--pidfile', this.pidfile,
      '-b', this.bridge,
      '--iptables=false',
      '--ip-masq=false',
      '--live-restore',
      '--log-level', 'warn',
      ...(this.options.args ?? []),
    ]];
  }

  /** Sends `signal` (SIGTERM: a clean stop) and waits for the daemon to exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.running) return;
    this.stopping = true;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    // A killed dockerd orphans the containerd it started, which then blocks the next dockerd's start:
    // kill it too, as a crashed host would (shims and containers stay, like conmon's).
    if (this.engine === 'dockerd' && signal === 'SIGKILL') {
      for (const pid of processesMentioning(this.base)) {
        try {
          if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'containerd') process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }

  /** SIGKILL: the daemon dies without any chance to tidy up (crash tests). */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Environment that points docker-compatible clients at this daemon. */
  get env(): Record<string, string | undefined> {
    return {
      DOCKER_HOST: this.host,
      // berth's CLI prefers BERTH_HOST over DOCKER_HOST: pin both.
      BERTH_HOST: this.host,
      DOCKER_CONFIG: this.dockerConfig,
      DOCKER_CONTEXT: undefined,
      DOCKER_TLS_VERIFY: undefined,
      DOCKER_CERT_PATH: undefined,
      DOCKER_CLI_HINTS: 'false',
    };
  }

  /** Runs the real docker CLI (or another docker client binary, `bin`) against this daemon. */
  docker(args: readonly string[], opts: RunOptions = {}, bin = DOCKER_BIN): Promise<RunResult> {
    return run(bin, args, { ...opts, env: { ...this.env, ...opts.env } });
  }

  /** Runs berth's CLI against this daemon. */
  berth(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(process.execPath, [BERTH_BIN, ...args], { ...opts, env: { ...this.env, ...opts.env } });
  }

  /**
   * Runs a CLI under a pseudo-terminal (util-linux `script`), for `-t`: the CLI sees a terminal on its
   * stdin/stdout as a user's shell would give it. Output has \r\n line ends. Exit code is the CLI's.
   */
  tty(cli: 'docker' | 'berth' | { bin: string }, args: readonly string[], opts: RunOptions & { rows?: number; cols?: number } = {}): Promise<RunResult> {
    const argv = cli === 'docker' ? [DOCKER_BIN, ...args] : cli === 'berth' ? [process.execPath, BERTH_BIN, ...args] : [cli.bin, ...args];
    // A window size for the terminal first, when asked: the CLI passes it on to the container.
    const size = opts.rows && opts.cols ? `stty rows ${opts.rows} cols ${opts.cols}; ` : '';
    const cmd = size + argv.map(shQuote).join(' ');
    return run('script', ['-qec', cmd, '/dev/null'], { ...opts, env: { ...this.env, ...opts.env } });
  }

  /** A raw Engine API request to this daemon. */
  api(method: string, urlPath: string, opts?: ApiRequestOptions): Promise<ApiResponse> {
    return apiRequest(this.socket, method, urlPath, opts);
  }

  /** Imports the busybox rootfs tarball as `busybox:latest` with CMD ["sh"], through the API. */
  async importBusybox(ref = 'busybox:latest'): Promise<void> {
    const [repo, tag] = ref.split(':');
    const q = new URLSearchParams({ fromSrc: '-', repo: repo!, tag: tag ?? 'latest', changes: 'CMD ["sh"]' });
    const r = await this.api('POST', `/images/create?${q}`, { file: BUSYBOX_TAR, timeout: 120_000 });
    if (r.status !== 200 || /"error(Detail)?"\s*:/.test(r.text)) {
      throw new Error(`importing ${BUSYBOX_TAR} as ${ref} failed: ${r.status} ${r.text}\n--- berthd log (tail) ---\n${this.logTail()}`);
    }
  }

  /**
   * A daemon that exits without being asked is a bug under test, and cleanup() removes its directory:
   * its log's tail goes to stderr (the runner shows it beside the failures) and a copy of the whole log
   * is kept in KEPT_LOG_DIR.
   */
  private reportUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    let kept = '';
    try {
      fs.mkdirSync(KEPT_LOG_DIR, { recursive: true });
      kept = path.join(KEPT_LOG_DIR, `${path.basename(this.base)}-${this.engine}.log`);
      fs.copyFileSync(this.logFile, kept);
    } catch {
      kept = '(not kept)';
    }
    process.stderr.write(`\n==== harness: ${this.engine} (${this.base}) exited unexpectedly: code ${code} signal ${signal}; whole log: ${kept}\n${this.logTail(80)}\n====\n`);
  }

  logTail(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops the daemon and removes every container, mount, process and file it made. */
  async cleanup(): Promise<void> {
    try {
      // dockerd keeps its networks in its own database: the harness cannot find their bridges after
      // it stopped, so they go through the API while it still runs (berthd's are found in its records).
      if (this.engine === 'dockerd' && this.running) {
        const ids = (await this.docker(['ps', '-aq']).catch(() => null))?.stdout.split('\n').filter(Boolean) ?? [];
        if (ids.length) await this.docker(['rm', '-f', ...ids]).catch(() => null);
        await this.docker(['network', 'prune', '-f']).catch(() => null);
      }
      await this.stop();
    } finally {
      await removeLeftovers({ base: this.base, execRoot: this.execRoot, bridge: this.bridge });
      this.slot.release();
    }
  }
}

/**
 * Starts a test daemon and registers its cleanup on `t` (a TestContext, or `{ after }` imported from
 * node:test for one daemon per file). Throws, with the daemon's log, when it does not come up.
 */
export async function startDaemon(t: AfterHook, options: DaemonOptions = {}): Promise<TestDaemon> {
  if (!fs.existsSync(BUSYBOX_TAR) && options.busybox !== false) {
    throw new Error(`${BUSYBOX_TAR} is missing: run npm run setup first`);
  }
  const d = new TestDaemon(options);
  t.after(() => d.cleanup());
  await d.start();
  if (options.busybox !== false) await d.importBusybox();
  return d;
}

export type { RunResult, ApiResponse };
