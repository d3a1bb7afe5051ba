/**
 * Who may talk to the server. The server runs as root, so every request needs
 * a token, every request must name this server in its Host header (a
 * DNS-rebinding page names its own), and a browser socket must come from the
 * page's own origin.
 *
 * Tokens grant a scope: a lab's edit or view token opens that lab only; the
 * admin token opens every lab. A browser keeps each grant in a cookie of its
 * own (`vethlab_PORT_LAB`, `vethlab_PORT_admin`), so one browser can hold a
 * student's lab and the teacher's admin grant side by side.
 */
import { createHash } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Role } from '../engine/lab-registry';

export { newToken, TOKEN_BYTES } from '../engine/tokens';

/** Longest Host or Origin header echoed back in an error. */
const MAX_SHOWN_HEADER_CHARS = 100;


/** What a token opens: every lab (admin), or one lab as editor or viewer. */
export type Grant = { scope: 'admin'; role: 'admin' } | { scope: 'lab'; lab: string; role: Exclude<Role, 'admin'> };

export interface AccessOptions {
  /** What a token grants, or null for a token that is no one's. */
  resolve: (token: string) => Grant | null;
  /** The port the server listens on. */
  port: number;
  /** The address it listens on (--host). */
  host: string;
  /** More names for the Host header (--allow-host); `name` allows any port, `name:port` only that one. */
  allowHosts?: readonly string[];
}

interface HostName {
  name: string;
  port?: number;
}

/** Splits `name:port`, `[::1]:port` or a bare name; lower case. null when it is not a host. */
export function parseHostHeader(text: string): HostName | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase(), ...(m[2] !== undefined ? { port: Number(m[2]) } : {}) };
}

/** An address as it appears in a Host header: IPv6 in brackets. */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** Longest token looked at; ours are 48 characters. */
const MAX_TOKEN_CHARS = 256;

export class AccessPolicy {
  readonly port: number;
  private readonly resolver: (token: string) => Grant | null;
  private readonly allowed: HostName[];

  constructor(opts: AccessOptions) {
    this.port = opts.port;
    this.resolver = opts.resolve;
    const own = ['127.0.0.1', 'localhost', '[::1]'];
    if (!WILDCARD_HOSTS.has(opts.host)) own.push(hostForUrl(opts.host).toLowerCase());
    this.allowed = [
      ...own.map((name) => ({ name, port: opts.port })),
      ...(opts.allowHosts ?? []).map((h) => {
        const parsed = parseHostHeader(h);
        if (!parsed) throw new Error(`--allow-host: "${h}" is not a host name (write name or name:port)`);
        return parsed;
      }),
    ];
  }

  /** Is this Host header one of this server's names? A missing port is the HTTP default, 80. */
  hostAllowed(header: string | undefined): boolean {
    const h = header === undefined ? null : parseHostHeader(header);
    if (!h) return false;
    const port = h.port ?? 80;
    return this.allowed.some((a) => a.name === h.name && (a.port === undefined || a.port === port));
  }

  /** A missing Origin is a script, not a browser page; a present one must be the page's own. */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (!host || !this.hostAllowed(host)) return false;
    const o = origin.toLowerCase();
    const h = host.toLowerCase();
    return o === `http://${h}` || o === `https://${h}`;
  }

  /** What a token grants; null for anything that is not a live token. */
  grantOf(candidate: unknown): Grant | null {
    if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_TOKEN_CHARS) return null;
    return this.resolver(candidate);
  }

  /**
   * The role a request or socket has in `lab`: from a token it offers, else
   * from the admin cookie or that lab's cookie. null: none.
   */
  roleFor(lab: string, cookieHeader: string | undefined, offered?: unknown): Role | null {
    const fromToken = this.grantOf(offered);
    if (fromToken && (fromToken.scope === 'admin' || fromToken.lab === lab)) return fromToken.role;
    if (offered !== undefined && offered !== null) return null; // a token was offered and it does not open this lab
    const cookies = this.cookies(cookieHeader);
    const admin = this.grantOf(cookies[this.cookieName('admin')]);
    if (admin?.scope === 'admin') return 'admin';
    const own = this.grantOf(cookies[this.cookieName(lab)]);
    return own?.scope === 'lab' && own.lab === lab ? own.role : null;
  }

  /** Whether the request carries any live grant (for the page's shared assets). */
  anyGrant(cookieHeader: string | undefined): boolean {
    const prefix = `vethlab_${this.port}_`;
    return Object.entries(this.cookies(cookieHeader)).some(([name, value]) => name.startsWith(prefix) && this.grantOf(value) !== null);
  }

  /** Cookies do not separate ports: two servers on one machine each need their own names. */
  cookieName(scope: string): string {
    return `vethlab_${this.port}_${scope}`;
  }

  /** A malformed Cookie header gives what could be read, never an exception. */
  private cookies(header: string | undefined): Record<string, string | undefined> {
    if (!header) return {};
    try {
      return parseCookies(header);
    } catch {
      return {};
    }
  }

  /**
   * HttpOnly: page scripts never see it. SameSite=Lax: other sites' pages never
   * send it with their requests or sockets, yet the printed URL still works when
   * opened from a link (Strict would drop it on the redirect after such a link).
   */
  setCookieHeader(grant: Grant, token: string): string {
    const scope = grant.scope === 'admin' ? 'admin' : grant.lab;
    return `${this.cookieName(scope)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax`;
  }

  hostRefusal(header: string | undefined): string {
    const shown = header === undefined ? '(none)' : JSON.stringify(header.slice(0, MAX_SHOWN_HEADER_CHARS));
    return (
      `vethlab refuses requests for the host ${shown}: it answers only to its own names ` +
      `(${this.allowed.map((a) => (a.port ? `${a.name}:${a.port}` : a.name)).join(', ')}). ` +
      `Open http://127.0.0.1:${this.port}/ on the machine itself, or restart "vethlab serve" with --allow-host NAME.`
    );
  }
}

/** Tokens are looked up by digest: the lookup's timing says nothing about the tokens. */
export function tokenDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
