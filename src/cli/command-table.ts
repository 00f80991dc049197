// Which command modules exist and where they hang in the tree: docker's top-level commands and the
// management groups with their subcommand names and aliases (`container ls` = `ps`).
import type { CommandSpec } from './command-spec.js';
import * as attach from './commands/attach.js';
import * as cp from './commands/cp.js';
import * as create from './commands/create.js';
import * as diff from './commands/diff.js';
import * as exec from './commands/exec.js';
import * as exportCmd from './commands/export.js';
import * as importCmd from './commands/import.js';
import * as kill from './commands/kill.js';
import * as load from './commands/load.js';
import * as logs from './commands/logs.js';
import * as port from './commands/port.js';
import * as rename from './commands/rename.js';
import * as restart from './commands/restart.js';
import * as rm from './commands/rm.js';
import * as rmi from './commands/rmi.js';
import * as run from './commands/run.js';
import * as save from './commands/save.js';
import * as start from './commands/start.js';
import * as stop from './commands/stop.js';
import * as tag from './commands/tag.js';
import * as wait from './commands/wait.js';

export interface Registration {
  spec: CommandSpec<never>;
  name?: string;
  aliases?: string[];
}

const r = (m: { spec: unknown }, name?: string, aliases?: string[]): Registration => ({ spec: m.spec as CommandSpec<never>, name, aliases });

export const COMMON_COMMANDS: Registration[] = [r(run), r(exec)];

export const OTHER_COMMANDS: Registration[] = [
  r(attach), r(cp), r(create), r(diff), r(exportCmd), r(importCmd), r(kill), r(load), r(logs), r(port), r(rename),
  r(restart), r(rm, 'rm', []), r(rmi), r(save), r(start), r(stop), r(tag), r(wait),
];

export const GROUPS: { name: string; description: string; commands: Registration[] }[] = [
  {
    name: 'container',
    description: 'Manage containers',
    commands: [
      r(attach), r(cp), r(create), r(diff), r(exec), r(exportCmd), r(kill), r(logs), r(port), r(rename), r(restart),
      r(rm, 'rm', ['remove']), r(run), r(start), r(stop), r(wait),
    ],
  },
  {
    name: 'image',
    description: 'Manage images',
    commands: [r(importCmd), r(load), r(rmi, 'rm', ['remove', 'rmi']), r(save), r(tag)],
  },
];
