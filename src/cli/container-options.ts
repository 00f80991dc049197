// The commander flags shared by `run` and `create` (docker's addFlags), with docker's help wording and
// type names. The values land in ContainerFlags and are translated by container-flags.ts.
import { Option, type Command } from 'commander';
import { collect } from './command-spec.js';

type Kind = 'bool' | 'value' | 'list';
const FLAGS: [string, string, Kind, boolean?][] = [
  ['--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', 'list'],
  ['-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR', 'list'],
  ['--cap-add <list>', 'Add Linux capabilities', 'list'],
  ['--cap-drop <list>', 'Drop Linux capabilities', 'list'],
  ['--cidfile <string>', 'Write the container ID to the file', 'value'],
  ['--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period', 'value'],
  ['--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota', 'value'],
  ['-c, --cpu-shares <int>', 'CPU shares (relative weight)', 'value'],
  ['--cpus <decimal>', 'Number of CPUs', 'value'],
  ['--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)', 'value'],
  ['--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)', 'value'],
  ['--dns <list>', 'Set custom DNS servers', 'list'],
  ['--dns-option <list>', 'Set DNS options', 'list'],
  ['--dns-search <list>', 'Set custom DNS search domains', 'list'],
  ['--domainname <string>', 'Container NIS domain name', 'value'],
  ['--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image', 'value'],
  ['-e, --env <list>', 'Set environment variables', 'list'],
  ['--env-file <list>', 'Read in a file of environment variables', 'list'],
  ['--expose <list>', 'Expose a port or a range of ports', 'list'],
  ['--group-add <list>', 'Add additional groups to join', 'list'],
  ['-h, --hostname <string>', 'Container host name', 'value'],
  ['--init', 'Run an init inside the container that forwards signals and reaps processes', 'bool'],
  ['-i, --interactive', 'Keep STDIN open even if not attached', 'bool'],
  ['--ip <string>', 'IPv4 address (e.g., 172.30.100.104)', 'value'],
  ['--ipc <string>', 'IPC mode to use', 'value'],
  ['-l, --label <list>', 'Set meta data on a container', 'list'],
  ['--label-file <list>', 'Read in a line delimited file of labels', 'list'],
  ['--link <list>', 'Add link to another container', 'list'],
  ['--log-driver <string>', 'Logging driver for the container', 'value'],
  ['--log-opt <list>', 'Log driver options', 'list'],
  ['-m, --memory <bytes>', 'Memory limit', 'value'],
  ['--memory-reservation <bytes>', 'Memory soft limit', 'value'],
  ['--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", 'value'],
  ['--mount <mount>', 'Attach a filesystem mount to the container', 'list'],
  ['--name <string>', 'Assign a name to the container', 'value'],
  ['--network <network>', 'Connect a container to a network', 'value'],
  ['--net <network>', 'Connect a container to a network', 'value', true],
  ['--network-alias <list>', 'Add network-scoped alias for the container', 'list'],
  ['--net-alias <list>', 'Add network-scoped alias for the container', 'list', true],
  ['--oom-kill-disable', 'Disable OOM Killer', 'bool'],
  ['--oom-score-adj <int>', "Tune host's OOM preferences (-1000 to 1000)", 'value'],
  ['--pid <string>', 'PID namespace to use', 'value'],
  ['--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', 'value'],
  ['--platform <string>', 'Set platform if server is multi-platform capable', 'value'],
  ['--privileged', 'Give extended privileges to this container', 'bool'],
  ['-p, --publish <list>', "Publish a container's port(s) to the host", 'list'],
  ['-P, --publish-all', 'Publish all exposed ports to random ports', 'bool'],
  ['--pull <string>', 'Pull image before running ("always", "missing", "never")', 'value'],
  ['-q, --quiet', 'Suppress the pull output', 'bool'],
  ['--read-only', "Mount the container's root filesystem as read only", 'bool'],
  ['--restart <string>', 'Restart policy to apply when a container exits', 'value'],
  ['--rm', 'Automatically remove the container and its associated anonymous volumes when it exits', 'bool'],
  ['--runtime <string>', 'Runtime to use for this container', 'value'],
  ['--security-opt <list>', 'Security Options', 'list'],
  ['--shm-size <bytes>', 'Size of /dev/shm', 'value'],
  ['--stop-signal <string>', 'Signal to stop the container', 'value'],
  ['--stop-timeout <int>', 'Timeout (in seconds) to stop a container', 'value'],
  ['--sysctl <map>', 'Sysctl options', 'list'],
  ['--tmpfs <list>', 'Mount a tmpfs directory', 'list'],
  ['-t, --tty', 'Allocate a pseudo-TTY', 'bool'],
  ['--ulimit <ulimit>', 'Ulimit options', 'list'],
  ['-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])', 'value'],
  ['--uts <string>', 'UTS namespace to use', 'value'],
  ['-v, --volume <list>', 'Bind mount a volume', 'list'],
  ['--volumes-from <list>', 'Mount volumes from the specified container(s)', 'list'],
  ['-w, --workdir <string>', 'Working directory inside the container', 'value'],
];

export function addContainerFlags(cmd: Command, extra: [string, string, Kind, boolean?][] = []): void {
  for (const [flags, desc, kind, hidden] of [...FLAGS, ...extra]) {
    const o = new Option(flags, desc);
    if (kind === 'list') o.argParser(collect);
    if (hidden) o.hideHelp();
    cmd.addOption(o);
  }
}
