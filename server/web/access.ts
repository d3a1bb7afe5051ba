/**
 * Who may talk to the server. The lab runs as root and changes the machine's
 * network, so every request needs the token printed at start, every request
 * must name this server in its Host header (a DNS-rebinding page names its
 * own), and a browser socket must come from the page's own origin.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 24 random bytes: far beyond guessing, short enough to paste. */
export const TOKEN_BYTES = 24;

/** Longest Host or Origin header echoed back in an error. */
const MAX_SHOWN_HEADER_CHARS = 100;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

export interface AccessOptions {
  token: string;
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

export class AccessPolicy {
  readonly token: string;
  readonly port: number;
  /** Cookies do not separate ports: two servers on one machine each need their own cookie name. */
  readonly cookieName: string;
  private readonly tokenDigest: Buffer;
  private readonly allowed: HostName[];

  constructor(opts: AccessOptions) {
    if (!opts.token) throw new Error('the access token must not be empty');
    this.token = opts.token;
    this.port = opts.port;
    this.cookieName = `vethlab_token_${opts.port}`;
    this.tokenDigest = digest(opts.token);
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

  tokenMatches(candidate: unknown): boolean {
    if (typeof candidate !== 'string' || candidate.length === 0) return false;
    // Digests have equal length, which timingSafeEqual needs, and hide the token's length.
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  /** The token from a Cookie header, if it carries this server's cookie. */
  tokenFromCookie(header: string | undefined): string | undefined {
    if (!header) return undefined;
    for (const part of header.split(';')) {
      const i = part.indexOf('=');
      if (i < 0) continue;
      if (part.slice(0, i).trim() === this.cookieName) return decodeURIComponent(part.slice(i + 1).trim());
    }
    return undefined;
  }

  /**
   * HttpOnly: page scripts never see it. SameSite=Lax: other sites' pages never
   * send it with their requests or sockets, yet the printed URL still works when
   * opened from a link (Strict would drop it on the redirect after such a link).
   */
  setCookieHeader(): string {
    return `${this.cookieName}=${encodeURIComponent(this.token)}; Path=/; HttpOnly; SameSite=Lax`;
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
