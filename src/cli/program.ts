// Builds the commander tree from the command modules: docker's top-level commands, the management
// groups (`container`, `image`, `volume`, `system`) with their aliases, docker-style help, and usage
// errors worded and numbered as docker's (unknown flag -> 125, missing arguments -> 1).
import { Command, CommanderError } from 'commander';
import type { CommandSpec } from './command-spec.js';
import { CliContext, PROG, StatusError, type TlsFlags } from './context.js';
import { renderCommandHelp, renderGroupHelp } from './help.js';
import { COMMON_COMMANDS, GROUPS, OTHER_COMMANDS, type Registration } from './command-table.js';

export { BERTH_VERSION } from './version-info.js';
import { BERTH_VERSION } from './version-info.js';

/** A usage mistake found by commander, re-thrown with the command path it happened in. */
class UsageError extends Error {
  constructor(
    readonly commanderError: CommanderError,
    readonly path: string,
    readonly usage: string,
  ) {
    super(commanderError.message);
  }
}

function docker125(message: string, path: string, usage: string): StatusError {
  return new StatusError(125, `${message}\n\nUsage:  ${path}${usage ? ` ${usage}` : ''}\n\nRun '${path} --help' for more information`);
}

/** Rewords commander's messages the way pflag/cobra say them. */
export function translateUsageError(e: UsageError): StatusError {
  const { code, message } = e.commanderError;
  const m = /'([^']+)'/.exec(message);
  switch (code) {
    case 'commander.unknownOption': {
      const flag = m?.[1] ?? '';
      if (flag.startsWith('--')) return docker125(`unknown flag: ${flag}`, e.path, e.usage);
      return docker125(`unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`, e.path, e.usage);
    }
    case 'commander.optionMissingArgument': {
      const flags = m?.[1] ?? '';
      const short = /^-(\w),/.exec(flags);
      const long = /--([\w-]+)/.exec(flags);
      const text = short && !process.argv.includes(`--${long?.[1]}`) ? `flag needs an argument: '${short[1]}' in -${short[1]}` : `flag needs an argument: --${long?.[1] ?? flags}`;
      return docker125(text, e.path, e.usage);
    }
    case 'commander.invalidArgument':
      return docker125(message.replace(/^error: /, ''), e.path, e.usage);
    case 'commander.unknownCommand':
      return new StatusError(1, `${PROG}: unknown command: ${e.path} ${m?.[1] ?? ''}\n\nRun '${e.path} --help' for more information`);
    default:
      return new StatusError(e.commanderError.exitCode || 1, message.replace(/^error: /, ''));
  }
}

interface Built {
  program: Command;
  result: { status: number };
}

/** Every full path a spec is reachable by, for the "Aliases:" line docker prints. */
function aliasLines(): Map<CommandSpec<never>, string[]> {
  const m = new Map<CommandSpec<never>, string[]>();
  const add = (spec: CommandSpec<never>, paths: string[]) => m.set(spec, [...(m.get(spec) ?? []), ...paths]);
  for (const g of GROUPS) {
    for (const r of g.commands) {
      const name = r.name ?? r.spec.name;
      const aliases = [...(r.aliases ?? r.spec.aliases ?? [])].sort();
      add(r.spec, [name, ...aliases].map((n) => `${PROG} ${g.name} ${n}`));
    }
  }
  for (const r of [...COMMON_COMMANDS, ...OTHER_COMMANDS]) add(r.spec, [`${PROG} ${r.name ?? r.spec.name}`]);
  return m;
}

export function buildProgram(ctx: CliContext): Built {
  const result = { status: 0 };
  const aliases = aliasLines();
  const out = { writeOut: (s: string) => ctx.out(s), writeErr: (s: string) => ctx.err(s), outputError: () => {} };

  const program = new Command(PROG);
  program.enablePositionalOptions();
  program
    .option('-H, --host <list>', 'Daemon socket to connect to')
    .option('-D, --debug', 'Enable debug mode')
    .option('-l, --log-level <string>', 'Set the logging level ("debug", "info", "warn", "error", "fatal")')
    .option('--config <string>', 'Location of client config files')
    .option('-c, --context <string>', 'Name of the context to use to connect to the daemon')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('--tlscacert <string>', 'Trust certs signed only by this CA')
    .option('--tlscert <string>', 'Path to TLS certificate file')
    .option('--tlskey <string>', 'Path to TLS key file')
    .option('-v, --version', 'Print version information and quit')
    .helpOption('-h, --help', 'Print usage')
    .argument('[command]')
    .argument('[args...]')
    .configureOutput(out)
    .exitOverride((e) => {
      throw new UsageError(e, PROG, '[OPTIONS] COMMAND');
    });
  program.helpInformation = () => topHelp();
  program.hook('preSubcommand', (cmd) => {
    const o = cmd.opts<{ host?: string } & TlsFlags>();
    if (o.host) ctx.hostFlag = o.host;
    ctx.tlsFlags = { tls: o.tls, tlsverify: o.tlsverify, tlscacert: o.tlscacert, tlscert: o.tlscert, tlskey: o.tlskey };
  });
  program.action(async (command: string | undefined, _args: string[], opts: { version?: boolean }) => {
    if (opts.version) {
      ctx.out(`berth version ${BERTH_VERSION}\n`);
      return;
    }
    if (command === undefined) {
      ctx.out(topHelp());
      return;
    }
    throw new StatusError(1, `${PROG}: unknown command: ${PROG} ${command}\n\nRun '${PROG} --help' for more information`);
  });

  const attach = (parent: Command, path: string, r: Registration) => {
    const spec = r.spec as CommandSpec<Record<string, unknown>>;
    const name = r.name ?? spec.name;
    const cmdPath = `${path} ${name}`;
    const cmd = new Command(name);
    cmd.aliases(r.aliases ?? spec.aliases ?? []);
    cmd.description(spec.description);
    cmd.helpOption(spec.noShortHelp ? '--help' : '-h, --help', 'Print usage');
    spec.options?.(cmd);
    acceptBoolValues(cmd, spec.interspersed !== false);
    cmd.argument('[args...]');
    if (spec.interspersed === false) cmd.passThroughOptions();
    cmd.configureOutput(out);
    cmd.exitOverride((e) => {
      throw new UsageError(e, cmdPath, spec.usage);
    });
    cmd.helpInformation = () => renderCommandHelp(cmdPath, spec.usage, spec.description, aliases.get(r.spec) ?? [], cmd);
    cmd.action(async (args: string[], opts: Record<string, unknown>) => {
      checkArgCount(spec, cmdPath, args);
      const status = await spec.run(ctx, args, opts);
      result.status = typeof status === 'number' ? status : 0;
    });
    parent.addCommand(cmd);
  };

  for (const r of [...COMMON_COMMANDS, ...OTHER_COMMANDS]) attach(program, PROG, r);

  for (const g of GROUPS) {
    const gcmd = new Command(g.name);
    const path = `${PROG} ${g.name}`;
    gcmd.description(g.description);
    gcmd.enablePositionalOptions();
    gcmd.helpOption('-h, --help', 'Print usage');
    gcmd.argument('[command]');
    gcmd.argument('[args...]');
    gcmd.configureOutput(out);
    gcmd.exitOverride((e) => {
      throw new UsageError(e, path, 'COMMAND');
    });
    const subs = g.commands.map((r) => ({ name: r.name ?? r.spec.name, description: r.spec.description })).sort((a, b) => a.name.localeCompare(b.name));
    gcmd.helpInformation = () => renderGroupHelp(path, g.description, subs);
    gcmd.action(async (sub: string | undefined) => {
      if (sub === undefined) {
        ctx.out(renderGroupHelp(path, g.description, subs));
        return;
      }
      throw new StatusError(1, `${PROG}: unknown command: ${path} ${sub}\n\nRun '${path} --help' for more information`);
    });
    for (const r of g.commands) attach(gcmd, path, r);
    program.addCommand(gcmd);
  }

  // `berth help [COMMAND...]` prints the help of that command, like docker's.
  const help = new Command('help').argument('[command...]').description('Help about any command');
  help.configureOutput(out);
  help.action((words: string[]) => {
    let cmd: Command = program;
    for (const w of words) {
      const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (!next) throw new StatusError(1, `${PROG}: unknown help topic: ${words.join(' ')}\n\nRun '${PROG} --help' for more information`);
      cmd = next;
    }
    ctx.out(cmd.helpInformation());
  });
  program.addCommand(help, { hidden: true });

  return { program, result };

  function topHelp(): string {
    const list = (rs: Registration[]) =>
      rs.map((r) => `  ${(r.name ?? r.spec.name).padEnd(12)}${r.spec.description}`).join('\n');
    return (
      `Usage:  ${PROG} [OPTIONS] COMMAND\n\nA container engine that speaks the Docker Engine API\n\n` +
      `Common Commands:\n${list(COMMON_COMMANDS)}\n\n` +
      `Management Commands:\n${GROUPS.map((g) => `  ${g.name.padEnd(12)}${g.description}`).join('\n')}\n\n` +
      `Commands:\n${list([...OTHER_COMMANDS].sort((a, b) => (a.name ?? a.spec.name).localeCompare(b.name ?? b.spec.name)))}\n\n` +
      `Global Options:\n` +
      `  -H, --host list          Daemon socket to connect to (unix:///path or tcp://host:port)\n` +
      `  -D, --debug              Enable debug mode\n` +
      `  -h, --help               Print usage\n` +
      `  -v, --version            Print version information and quit\n\n` +
      `Environment: BERTH_HOST, then DOCKER_HOST, choose the daemon (default unix:///run/berth/berth.sock).\n\n` +
      `Run '${PROG} COMMAND --help' for more information on a command.\n`
    );
  }
}

const TRUE_WORDS = ['1', 't', 'T', 'true', 'TRUE', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'false', 'FALSE', 'False'];

/**
 * pflag accepts `--rm=true` and `--privileged=false` for boolean flags; commander does not. Rewrites
 * them before commander parses: `=true` is the bare flag, `=false` is `--no-X` when the command has one,
 * else nothing (boolean flags default to false). Stops at `--`, and for run/create/exec at the first
 * argument, so the container's own arguments are never touched.
 */
function acceptBoolValues(cmd: Command, interspersed: boolean): void {
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => {
    const boolOpts = cmd.options.filter((o) => !o.required && !o.optional && o.long);
    const bools = new Set(boolOpts.map((o) => o.long!));
    const shortToLong = new Map(boolOpts.filter((o) => o.short).map((o) => [o.short!, o.long!]));
    const valued = new Set(cmd.options.filter((o) => o.required).flatMap((o) => [o.long, o.short].filter(Boolean) as string[]));
    const out: string[] = [];
    let i = 0;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') break;
      if (!a.startsWith('-') || a === '-') {
        if (!interspersed) break;
        out.push(a);
        continue;
      }
      // pflag's `-e=VALUE` and `-d=false` for one-letter flags.
      const sh = /^(-[A-Za-z])=(.*)$/.exec(a);
      if (sh && valued.has(sh[1]!)) {
        out.push(sh[1]!, sh[2]!);
        continue;
      }
      const m = /^(--[^=]+)=(.*)$/.exec(sh && shortToLong.has(sh[1]!) ? `${shortToLong.get(sh[1]!)}=${sh[2]}` : a);
      if (m && bools.has(m[1]!)) {
        if (TRUE_WORDS.includes(m[2]!)) out.push(m[1]!);
        else if (FALSE_WORDS.includes(m[2]!)) {
          const neg = `--no-${m[1]!.slice(2)}`;
          if (bools.has(neg)) out.push(neg);
        } else out.push(a);
        continue;
      }
      out.push(a);
      // The value of `-e X` / `--name X` is not an option even if it starts with a dash.
      if (valued.has(a) && i + 1 < argv.length) out.push(argv[++i]!);
    }
    return parse([...out, ...argv.slice(i)]);
  };
}

function pluralArgs(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** docker's cli.RequiresMinArgs / RequiresMaxArgs / ExactArgs messages (exit status 1). */
function checkArgCount(spec: CommandSpec<never>, path: string, args: string[]): void {
  const { minArgs: min, maxArgs: max } = spec;
  const usage = `\n\nUsage:  ${path} ${spec.usage}\n\nSee '${path} --help' for more information`;
  if (min !== undefined && max !== undefined && min === max && args.length !== min) {
    throw new StatusError(1, `${PROG}: '${path}' requires ${min} ${pluralArgs(min)}${usage}`);
  }
  if (min !== undefined && max !== undefined && min !== max && (args.length < min || args.length > max)) {
    throw new StatusError(1, `${PROG}: '${path}' requires at least ${min} and at most ${max} ${pluralArgs(max)}${usage}`);
  }
  if (min !== undefined && args.length < min) throw new StatusError(1, `${PROG}: '${path}' requires at least ${min} ${pluralArgs(min)}${usage}`);
  if (max !== undefined && args.length > max) {
    if (max === 0) throw new StatusError(1, `${PROG}: '${path}' accepts no arguments${usage}`);
    throw new StatusError(1, `${PROG}: '${path}' requires at most ${max} ${pluralArgs(max)}${usage}`);
  }
}

export { UsageError };
