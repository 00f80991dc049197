// `berth logs`: a container's logs, demultiplexed to stdout/stderr unless it has a TTY; -f follows.
import type { CommandSpec } from '../command-spec.js';
import { containerInspect, containerLogs } from '../../client/containers.js';
import { copyOutput } from '../../client/demux.js';
import { getTimestamp } from '../timestamp.js';

interface LogsFlags {
  follow?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
  details?: boolean;
  tail?: string;
}

export const spec: CommandSpec<LogsFlags> = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('--details', 'Show extra details provided to logs')
      .option('-f, --follow', 'Follow log output')
      .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
      .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('-t, --timestamps', 'Show timestamps')
      .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
  async run(ctx, args, f) {
    const c = ctx.client;
    const info = await containerInspect(c, args[0]!);
    const now = Date.now();
    const res = await containerLogs(c, info.Id, {
      follow: f.follow,
      stdout: true,
      stderr: true,
      since: f.since ? getTimestamp(f.since, now) : undefined,
      until: f.until ? getTimestamp(f.until, now) : undefined,
      timestamps: f.timestamps,
      tail: f.tail,
      details: f.details,
    });
    await copyOutput(res, !!info.Config.Tty, ctx.io.stdout, ctx.io.stderr);
  },
};
