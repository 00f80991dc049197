// Help text in the docker CLI's layout ("Usage:  docker ps [OPTIONS]", description, Aliases, Options with
// pflag-style type names), rendered from a commander Command.
import type { Command, Option } from 'commander';

function optionColumn(o: Option): string {
  const short = o.short ? `${o.short}, ` : '    ';
  const m = /[<[]([^>\]]+)[>\]]/.exec(o.flags);
  return `${short}${o.long ?? ''}${m ? ` ${m[1]}` : ''}`;
}

function defaultNote(o: Option): string {
  const d = o.defaultValue as unknown;
  if (d === undefined || d === false || (Array.isArray(d) && d.length === 0) || d === '') return '';
  return ` (default ${typeof d === 'string' ? d : JSON.stringify(d)})`;
}

export function renderOptions(cmd: Command): string {
  const opts = cmd.options.filter((o) => !o.hidden);
  const rows = opts.filter((o) => o.long !== '--help').map((o) => [optionColumn(o), `${o.description}${defaultNote(o)}`] as const);
  // docker lists --help only where it is a real flag of the command (run and create, whose -h is --hostname).
  if (cmd.name() === 'run' || cmd.name() === 'create') rows.push(['    --help', 'Print usage']);
  rows.sort((a, b) => a[0].replace(/^-., /, '').trim().localeCompare(b[0].replace(/^-., /, '').trim()));
  const width = Math.max(...rows.map(([c]) => c.length)) + 3;
  return rows.map(([c, d]) => `  ${c.padEnd(width)}${d.split('\n').join('\n' + ' '.repeat(width + 2))}`).join('\n');
}

export function renderCommandHelp(path: string, usage: string, description: string, aliases: string[], cmd: Command): string {
  let s = `Usage:  ${path}${usage ? ` ${usage}` : ''}\n\n${description}\n`;
  if (aliases.length > 1) s += `\nAliases:\n  ${aliases.join(', ')}\n`;
  s += `\nOptions:\n${renderOptions(cmd)}\n`;
  return s;
}

export function renderGroupHelp(path: string, description: string, subs: { name: string; description: string }[], footer = true): string {
  const w = Math.max(10, ...subs.map((c) => c.name.length)) + 2;
  let s = `Usage:  ${path} COMMAND\n\n${description}\n\nCommands:\n`;
  s += subs.map((c) => `  ${c.name.padEnd(w)}${c.description}`).join('\n') + '\n';
  if (footer) s += `\nRun '${path} COMMAND --help' for more information on a command.\n`;
  return s;
}
