/**
 * The check in front of every HTTP request: the Host header must name this
 * server, and the request must carry the token, in the URL once (which turns
 * it into a cookie and redirects to the same URL without it) or in the cookie.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessPolicy } from './access';
import type { Role } from '../engine/lab-registry';

const TOKEN_PARAM = 'token';

/**
 * Headers for every answer: no framing by other sites (a student's page
 * frames the teacher's lab, same origin), no MIME sniffing, no token in a Referer.
 */
export function setSafetyHeaders(res: ServerResponse): void {
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'self'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const NO_TOKEN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vethlab: open the link with the token</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>This lab needs its access link</h1>
<p>vethlab changes this machine's network, so only someone who can see its
output may use it. Open the URL that <code>vethlab serve</code> printed when it
started (<code>vethlab is running: http://127.0.0.1:PORT/?token=...</code>),
or the link your teacher gave you for your lab. A lab's link opens that lab only.</p>
<p>Links stay valid across restarts of the server; <code>vethlab labs</code> lists them.</p>
</body></html>
`;

/** The lab a page path belongs to: `/` is the default lab, `/lab/NAME...` is NAME; undefined for shared assets. */
export function labOfPath(pathname: string, defaultLab: string): string | undefined {
  if (pathname === '/' || pathname === '') return defaultLab;
  const m = /^\/lab\/([^/]+)\/?$/.exec(pathname);
  return m ? decodeURIComponentSafe(m[1]) : undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The page paths that are not a lab's: the admin's list of labs. */
export const LABS_PAGE_PATH = '/labs';

/**
 * Answers the request itself when it may not pass; returns the role it passes
 * with (for a lab page: in that lab; for the labs page: admin; for shared
 * assets: whatever grant it carries) or null.
 */
export function passGate(policy: AccessPolicy, req: IncomingMessage, res: ServerResponse, defaultLab: string): Role | 'asset' | null {
  setSafetyHeaders(res);
  if (!policy.hostAllowed(req.headers.host)) {
    send(res, 403, 'text/plain', policy.hostRefusal(req.headers.host) + '\n');
    return null;
  }
  const url = new URL(req.url ?? '/', 'http://vethlab.invalid');
  const offered = url.searchParams.get(TOKEN_PARAM);
  if (offered !== null) {
    const grant = policy.grantOf(offered);
    if (!grant) {
      send(res, 401, 'text/html', NO_TOKEN_PAGE);
      return null;
    }
    url.searchParams.delete(TOKEN_PARAM);
    // A lab's token on / opens that lab's own page.
    const pathname = grant.scope === 'lab' && url.pathname === '/' && grant.lab !== defaultLab ? `/lab/${grant.lab}` : url.pathname;
    // A relative Location keeps whatever name the browser used; the token leaves the address bar and history.
    // One leading slash only: `//name` would send the browser to another site.
    const location = `${pathname.replace(/^\/+/, '/')}${url.search}`;
    res.writeHead(303, { 'Set-Cookie': policy.setCookieHeader(grant, offered), Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
    return null;
  }
  const cookie = req.headers.cookie;
  if (url.pathname === LABS_PAGE_PATH) {
    if (policy.roleFor('', cookie) === 'admin') return 'admin';
    send(res, 401, 'text/html', NO_TOKEN_PAGE);
    return null;
  }
  const lab = labOfPath(url.pathname, defaultLab);
  if (lab !== undefined) {
    const role = policy.roleFor(lab, cookie);
    if (role) return role;
    send(res, 401, 'text/html', NO_TOKEN_PAGE);
    return null;
  }
  if (policy.anyGrant(cookie)) return 'asset';
  send(res, 401, 'text/html', NO_TOKEN_PAGE);
  return null;
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain', text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, 'text/html', html);
}
