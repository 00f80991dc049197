// Which command modules exist and where they hang in the tree: docker's top-level commands and the
// management groups with their subcommand names and aliases (`container ls` = `ps`).
import type { CommandSpec } from './command-spec.js';
import * as attach from './commands/attach.js';
import * as build from './commands/build.js';
import * as commit from './commands/commit.js';
import * as cp from './commands/cp.js';
import * as create from './commands/create.js';
import * as diff from './commands/diff.js';
import * as events from './commands/events.js';
import * as exec from './commands/exec.js';
import * as exportCmd from './commands/export.js';
import * as history from './commands/history.js';
import * as images from './commands/images.js';
import * as importCmd from './commands/import.js';
import * as info from './commands/info.js';
import * as inspect from './commands/inspect.js';
import * as kill from './commands/kill.js';
import * as update from './commands/update.js';
import * as pause from './commands/pause.js';
import * as load from './commands/load.js';
import * as logs from './commands/logs.js';
import * as port from './commands/port.js';
import * as prune from './commands/prune.js';
import * as ps from './commands/ps.js';
import * as rename from './commands/rename.js';
import * as restart from './commands/restart.js';
import * as rm from './commands/rm.js';
import * as rmi from './commands/rmi.js';
import * as run from './commands/run.js';
import * as save from './commands/save.js';
import * as start from './commands/start.js';
import * as stop from './commands/stop.js';
import * as systemDf from './commands/system-df.js';
import * as tag from './commands/tag.js';
import * as top from './commands/top.js';
import * as version from './commands/version.js';
import * as volume from './commands/volume.js';
import * as network from './commands/network.js';
import * as wait from './commands/wait.js';
import * as pull from './commands/pull.js';
import * as push from './commands/push.js';
import * as login from './commands/login.js';
import * as search from './commands/search.js';

export interface Registration {
  spec: CommandSpec<never>;
  name?: string;
  aliases?: string[];
}

const r = (spec: unknown, name?: string, aliases?: string[]): Registration => ({ spec: spec as CommandSpec<never>, name, aliases });

export const COMMON_COMMANDS: Registration[] = [r(run.spec), r(exec.spec), r(ps.spec), r(images.spec), r(version.spec), r(info.spec)];

export const OTHER_COMMANDS: Registration[] = [
  r(attach.spec), r(build.spec), r(commit.spec), r(cp.spec), r(create.spec), r(diff.spec), r(events.spec), r(exportCmd.spec), r(history.spec),
  r(importCmd.spec), r(inspect.spec), r(kill.spec), r(load.spec), r(logs.spec), r(pause.pauseSpec), r(port.spec), r(rename.spec),
  r(restart.spec), r(rm.spec, 'rm', []), r(rmi.spec), r(save.spec), r(start.spec), r(stop.spec), r(tag.spec),
  r(top.spec), r(pause.unpauseSpec), r(update.spec), r(wait.spec),
  r(pull.spec), r(push.spec), r(login.loginSpec), r(login.logoutSpec), r(search.spec),
];

export const GROUPS: { name: string; description: string; commands: Registration[] }[] = [
  {
    name: 'container',
    description: 'Manage containers',
    commands: [
      r(attach.spec), r(commit.spec), r(cp.spec), r(create.spec), r(diff.spec), r(exec.spec), r(exportCmd.spec), r(inspect.containerSpec),
      r(kill.spec), r(logs.spec), r(pause.pauseSpec), r(ps.spec, 'ls', ['ps', 'list']), r(port.spec), r(prune.containerSpec), r(rename.spec),
      r(restart.spec), r(rm.spec, 'rm', ['remove']), r(run.spec), r(start.spec), r(stop.spec), r(top.spec), r(pause.unpauseSpec),
      r(update.spec), r(wait.spec),
    ],
  },
  {
    name: 'image',
    description: 'Manage images',
    commands: [
      r(build.spec), r(history.spec), r(importCmd.spec), r(inspect.imageSpec), r(load.spec), r(images.spec, 'ls', ['list']),
      r(prune.imageSpec), r(rmi.spec, 'rm', ['remove', 'rmi']), r(save.spec), r(tag.spec),
      r(pull.spec), r(push.spec),
    ],
  },
  {
    name: 'volume',
    description: 'Manage volumes',
    commands: [r(volume.createSpec), r(inspect.volumeSpec), r(volume.lsSpec), r(prune.volumeSpec), r(volume.rmSpec)],
  },
  {
    name: 'network',
    description: 'Manage networks',
    commands: [r(network.connectSpec), r(network.createSpec), r(network.disconnectSpec), r(inspect.networkSpec), r(network.lsSpec), r(network.pruneSpec), r(network.rmSpec)],
  },
  {
    name: 'system',
    description: 'Manage berth',
    commands: [r(systemDf.spec), r(events.spec), r(info.spec)],
  },
];
