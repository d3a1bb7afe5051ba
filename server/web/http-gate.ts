/**
 * The check in front of every HTTP request: the Host header must name this
 * server, and the request must carry the token, in the URL once (which turns
 * it into a cookie and redirects to the same URL without it) or in the cookie.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessPolicy } from './access';

const TOKEN_PARAM = 'token';

/** Headers for every answer: no framing by other sites, no MIME sniffing, no token in a Referer. */
export function setSafetyHeaders(res: ServerResponse): void {
  res.setHeader('X-Frame-Options', 'DENY');
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
started (<code>vethlab is running: http://127.0.0.1:PORT/?token=...</code>).</p>
<p>If the server was restarted, it printed a new link: the old one no longer works.</p>
</body></html>
`;

/** Answers the request itself when it may not pass; returns true when it may. */
export function passGate(policy: AccessPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  setSafetyHeaders(res);
  if (!policy.hostAllowed(req.headers.host)) {
    send(res, 403, 'text/plain', policy.hostRefusal(req.headers.host) + '\n');
    return false;
  }
  const url = new URL(req.url ?? '/', 'http://vethlab.invalid');
  const offered = url.searchParams.get(TOKEN_PARAM);
  if (offered !== null) {
    if (!policy.tokenMatches(offered)) {
      send(res, 401, 'text/html', NO_TOKEN_PAGE);
      return false;
    }
    url.searchParams.delete(TOKEN_PARAM);
    // A relative Location keeps whatever name the browser used; the token leaves the address bar and history.
    // One leading slash only: `//name` would send the browser to another site.
    const location = `${url.pathname.replace(/^\/+/, '/')}${url.search}`;
    res.writeHead(303, { 'Set-Cookie': policy.setCookieHeader(), Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
    return false;
  }
  if (!policy.tokenMatches(policy.tokenFromCookie(req.headers.cookie))) {
    send(res, 401, 'text/html', NO_TOKEN_PAGE);
    return false;
  }
  return true;
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain', text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, 'text/html', html);
}
