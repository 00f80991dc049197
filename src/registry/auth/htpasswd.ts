// htpasswd files with bcrypt entries, as `htpasswd -B` writes them (`user:$2y$...`). bcrypt is the only
// scheme taken (as the reference registry): the MD5/SHA1/crypt schemes are too weak to offer. A
// successful check is remembered (keyed by a hash of user, password and entry) because bcrypt costs
// tens of milliseconds, and basic auth sends the password with every request.
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';

export class HtpasswdError extends Error {}

export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const c = line.indexOf(':');
    if (c <= 0) throw new HtpasswdError(`htpasswd line ${i + 1}: want user:hash`);
    const user = line.slice(0, c);
    const hash = line.slice(c + 1);
    if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) throw new HtpasswdError(`htpasswd line ${i + 1} (${user}): only bcrypt entries are supported (htpasswd -B)`);
    users.set(user, hash);
  });
  return users;
}

export class Htpasswd {
  private readonly verified = new Set<string>();
  private dummy: string | undefined;
  constructor(private readonly users: Map<string, string>) {}

  has(user: string): boolean {
    return this.users.has(user);
  }

  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.users.get(user);
    if (!hash) {
      // Spend the same time as a real check, so a probe cannot tell users from non-users.
      this.dummy ??= bcrypt.hashSync('berth-registry', 10);
      await bcrypt.compare(password, this.dummy);
      return false;
    }
    const key = crypto.createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    if (this.verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok && this.verified.size < 10_000) this.verified.add(key);
    return ok;
  }
}
