// `berth login` and `berth logout`: check credentials with the registry through the daemon (POST
// /auth) and keep them in docker's config.json, as `docker login` does (-u, -p, --password-stdin).
import type { CommandSpec } from '../command-spec.js';
import { registryLogin } from '../../client/images.js';
import { authKeyFor, registryHostOf } from '../../lib/distribution/auth-config.js';
import { removeCredentials, storeCredentials } from '../docker-config.js';

interface LoginFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stdin) s += c.toString();
  return s;
}

export const loginSpec: CommandSpec<LoginFlags> = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  description: 'Authenticate to a registry',
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-u, --username <string>', 'Username')
      .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
      .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
  async run(ctx, args, f) {
    const server = args[0] ?? '';
    const host = registryHostOf(server);
    let password = f.password;
    if (f.passwordStdin) {
      if (f.password !== undefined) throw new Error('--password and --password-stdin are mutually exclusive');
      if (!f.username) throw new Error('Must provide --username with --password-stdin');
      password = (await readStdin(ctx.io.stdin)).replace(/\r?\n$/, '').replace(/\r$/, '');
    } else if (password !== undefined) {
      ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!f.username || password === undefined) {
      throw new Error('Cannot perform an interactive login from a non TTY device');
    }
    const serveraddress = host === 'docker.io' ? authKeyFor('docker.io') : host;
    const r = await registryLogin(ctx.client, { username: f.username, password, serveraddress });
    const file = storeCredentials(ctx.io.env, host, f.username, password);
    ctx.err(`WARNING! Your credentials are stored unencrypted in '${file}'.\n`);
    ctx.out(`${r.Status || 'Login Succeeded'}\n`);
  },
};

export const logoutSpec: CommandSpec = {
  name: 'logout',
  usage: '[SERVER]',
  description: 'Log out from a registry',
  maxArgs: 1,
  async run(ctx, args) {
    const host = registryHostOf(args[0] ?? '');
    const shown = host === 'docker.io' ? authKeyFor('docker.io') : host;
    if (!removeCredentials(ctx.io.env, host)) {
      ctx.out(`Not logged in to ${shown}\n`);
      return;
    }
    ctx.out(`Removing login credentials for ${shown}\n`);
  },
};
