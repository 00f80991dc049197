// The dashboard's login off loopback: a `--web` listener that anyone on the network can reach, and whose
// clients are not already proven by a client certificate (--tlsverify), answers only requests that carry
// the token berthd printed at start. The token travels as `Authorization: Bearer T`, as the cookie set
// when the page was opened with `?token=T` (the browser then sends it with every fetch and websocket of
// the page, which is same-origin), or as that query itself. Everything else gets a 401: the login form
// for the dashboard's pages, Docker's JSON error body for the API.
import crypto from 'node:crypto';
import type http from 'node:http';

export const LOGIN_COOKIE = 'berth_dashboard_token';

/** Sockets accepted by a listener that needs the login (marked by the daemon as they connect). */
const needsLogin = new WeakSet<object>();

export function markNeedsLogin(socket: object): void {
  needsLogin.add(socket);
}

/** A fresh token: 32 random bytes, URL- and cookie-safe. */
export function newLoginToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export class WebLogin {
  private readonly token: Buffer;

  constructor(token: string) {
    this.token = Buffer.from(token);
  }

  /**
   * Lets the request through (returns false) or answers it (returns true): a 401, or the redirect that
   * turns a `?token=` into a cookie so the token leaves the address bar.
   */
  gate(req: http.IncomingMessage, res: http.ServerResponse, url: URL, upgrade: boolean): boolean {
    if (!needsLogin.has(req.socket)) return false;
    const fromQuery = url.searchParams.get('token');
    const presented = bearer(req.headers.authorization) ?? cookie(req.headers.cookie, LOGIN_COOKIE) ?? fromQuery;
    if (presented !== null && this.matches(presented)) {
      if (fromQuery !== null && !upgrade && (req.method === 'GET' || req.method === 'HEAD')) {
        url.searchParams.delete('token');
        const secure = 'encrypted' in req.socket && req.socket.encrypted ? '; Secure' : '';
        res.writeHead(303, {
          Location: url.pathname + url.search,
          'Set-Cookie': `${LOGIN_COOKIE}=${fromQuery}; Path=/; HttpOnly; SameSite=Strict${secure}`,
          'Content-Length': 0,
        });
        res.end();
        return true;
      }
      return false;
    }
    const wrong = presented !== null;
    if (!upgrade && url.pathname.startsWith('/dashboard')) {
      const page = Buffer.from(loginPage(wrong));
      res.writeHead(401, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': page.length,
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      });
      res.end(page);
      return true;
    }
    const message = wrong
      ? 'wrong dashboard login token'
      : 'this listener needs the dashboard login token that berthd printed at start (Authorization: Bearer TOKEN, or open /dashboard/?token=TOKEN)';
    const body = Buffer.from(JSON.stringify({ message }) + '\n');
    res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'WWW-Authenticate': 'Bearer realm="berthd"' });
    res.end(body);
    return true;
  }

  private matches(presented: string): boolean {
    const p = Buffer.from(presented);
    return p.length === this.token.length && crypto.timingSafeEqual(p, this.token);
  }
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function loginPage(wrong: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>berth: log in</title>
<style>body{font:15px system-ui,sans-serif;margin:4em auto;max-width:28em}input{width:100%;padding:.4em;margin:.6em 0}</style>
</head><body>
<h1>berth dashboard</h1>
<p>${wrong ? '<strong>That token is wrong.</strong> ' : ''}This address is reachable off this host, so the dashboard asks
for the login token berthd printed when it started (also in the file <code>dashboard-token</code> under its exec root).</p>
<form method="get" action="/dashboard/"><label>Token <input name="token" type="password" autocomplete="current-password" autofocus></label>
<button type="submit">Log in</button></form>
</body></html>
`;
}
