/**
 * One Node process for the whole web lab: an HTTP server that serves the
 * Next.js app and hosts socket.io on the same port, behind the token, Host
 * and Origin checks of access.ts.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Server } from 'socket.io';
import { Lab } from '../engine/lab';
import { readTopologyFile } from '../engine/topology-source';
import { formatErrors } from '../model/topology-errors';
import { MAX_SOCKET_MESSAGE_BYTES } from '../protocol';
import { AccessPolicy, hostForUrl, newToken } from './access';
import { passGate, sendHtml, sendText } from './http-gate';
import { attachLab, type LabServer } from './socket-handlers';
import { attachTerminals } from './terminal-handlers';
import { loadToken } from './token-file';
import { TerminalManager } from '../terminal/terminal-manager';
import { LabWatcher } from '../engine/lab-watcher';
import { NamespaceReaders } from '../kernel/namespace-readers';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir?: string;
  /** A topology file applied at start. */
  topologyFile?: string;
  /** Default: $VETHLAB_TOKEN, else random. */
  token?: string;
  /** More names the Host header may carry (--allow-host), besides $VETHLAB_ALLOWED_HOSTS. */
  allowHosts?: string[];
  /** Next.js in development mode (hot reload); only for working on the page. */
  dev?: boolean;
  /** false: serve a placeholder page instead of the Next.js app (socket tests need no build). */
  next?: boolean;
  quiet?: boolean;
}

export interface RunningServer {
  /** The URL to open, with the token. */
  url: string;
  token: string;
  port: number;
  lab: Lab;
  io: LabServer;
  terminals: TerminalManager;
  close(): Promise<void>;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** socket.io's default path; its engine answers every request under it. */
const SOCKET_IO_PATH = '/socket.io/';

/** How long close() waits for open connections before cutting them. */
const CLOSE_GRACE_MS = 2000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vethlab</title></head>
<body><p>vethlab is running without its web page (started with next: false). Scripts talk to it over socket.io; see docs/protocol.md.</p></body></html>
`;

function hostsFromEnv(): string[] {
  return (process.env.VETHLAB_ALLOWED_HOSTS ?? '').split(/[\s,]+/).filter(Boolean);
}

async function readTopology(file: string) {
  const parsed = await readTopologyFile(file, '--topology');
  if (!parsed.ok) throw new Error(`--topology: ${file} is not a usable topology; nothing was changed:\n${formatErrors(parsed.errors)}`);
  return parsed.topology;
}

/**
 * `upgrades` stands in for the HTTP server: Next.js attaches its WebSocket
 * handler to whatever it is given, and on the real server it would see (and
 * could end) socket.io's upgrades and take its own without the token.
 */
async function nextHandler(dev: boolean, port: number, host: string, quiet: boolean, upgrades: EventEmitter): Promise<{ handle: Handler; close(): Promise<void> }> {
  const { default: next } = await import('next');
  const app = next({ dev, dir: REPO_ROOT, port, hostname: host, quiet, httpServer: upgrades as unknown as HttpServer });
  try {
    await app.prepare();
  } catch (e) {
    const hint = dev ? '' : ' (run "npm run build" once first)';
    throw new Error(`the web page could not be started${hint}: ${(e as Error).message}`);
  }
  const handle = app.getRequestHandler();
  return {
    handle: (req, res) => {
      handle(req, res).catch((e) => {
        if (!res.headersSent) sendText(res, 500, `internal error: ${(e as Error).message}\n`);
      });
    },
    close: () => app.close(),
  };
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const readers = new NamespaceReaders();
  const lab = new Lab(opts.dataDir, { readers });
  const watcher = new LabWatcher(lab, readers);
  // Kept in the data directory, so a page that is open survives a restart of the server.
  const token = opts.token ?? (process.env.VETHLAB_TOKEN || (await loadToken(lab.dataDir, newToken)));
  if (token.length === 0) throw new Error('the access token must not be empty');
  const topology = opts.topologyFile ? await readTopology(opts.topologyFile) : undefined;
  // The page shows what the kernel has, with the positions kept in the data directory, also after a crash.
  await lab.refresh();
  if (topology) {
    const result = await lab.apply(topology, { observeAfter: true, label: `apply ${opts.topologyFile}` });
    if (result.errors?.length) throw new Error(`--topology: ${opts.topologyFile} cannot be applied; nothing was changed:\n${formatErrors(result.errors)}`);
    if (result.failure && !opts.quiet) console.error(`warning: "${result.failure.command}" failed: ${result.failure.message}; the lab is left as far as it got`);
  }

  let policy: AccessPolicy | undefined;
  let handle: Handler | undefined;
  const server = createServer((req, res) => {
    if (!policy || !handle) return sendText(res, 503, 'vethlab is starting; reload in a moment\n');
    if (passGate(policy, req, res)) handle(req, res);
  });
  const io: LabServer = new Server(server, {
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    serveClient: false,
    // Host and Origin are checked on the engine.io handshake, before any socket exists; `cors` only sets headers, it blocks nothing.
    allowRequest: (req, callback) => {
      if (!policy) return callback('vethlab is starting', false);
      if (!policy.hostAllowed(req.headers.host)) return callback(policy.hostRefusal(req.headers.host), false);
      if (!policy.originAllowed(req.headers.origin, req.headers.host)) {
        return callback(`vethlab refuses sockets from the origin ${JSON.stringify(String(req.headers.origin).slice(0, 100))}: only its own page may connect`, false);
      }
      callback(null, true);
    },
  });
  io.use((socket, nextMiddleware) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const offered = auth?.token ?? policy?.tokenFromCookie(socket.handshake.headers.cookie);
    if (policy?.tokenMatches(offered)) return nextMiddleware();
    nextMiddleware(new Error('vethlab needs its token: open the URL printed by "vethlab serve", or pass auth: { token }'));
  });

  // Before listening: a socket let in while the page is still starting finds its handlers.
  const hub = attachLab(io, lab);
  const terminals = new TerminalManager({ dataDir: lab.dataDir });
  const terminalHub = attachTerminals(io, lab, terminals);
  watcher.on('traffic', (rates) => io.emit('traffic-update', rates));
  // Changes typed in a terminal (or made by the CLI) reach every browser.
  await watcher.start();
  const nextUpgrades = new EventEmitter();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.url?.startsWith(SOCKET_IO_PATH)) return; // engine.io's own listener takes it
    // Only development mode has WebSockets of its own (hot reload), and they need the same checks as a page.
    const allowed = opts.dev && policy && policy.hostAllowed(req.headers.host) && policy.originAllowed(req.headers.origin, req.headers.host) && policy.tokenMatches(policy.tokenFromCookie(req.headers.cookie));
    if (allowed) nextUpgrades.emit('upgrade', req, socket, head);
    else socket.destroy();
  });

  await listen(server, opts.port, opts.host);
  const port = (server.address() as AddressInfo).port;
  let closeNext = async () => {};
  try {
    policy = new AccessPolicy({ token, port, host: opts.host, allowHosts: [...(opts.allowHosts ?? []), ...hostsFromEnv()] });
    if (opts.next === false) {
      handle = (_req, res) => sendHtml(res, 200, PLACEHOLDER_PAGE);
    } else {
      const app = await nextHandler(opts.dev ?? false, port, opts.host, opts.quiet ?? false, nextUpgrades);
      closeNext = app.close;
      handle = app.handle;
    }
  } catch (e) {
    hub.detach();
    terminalHub.detach();
    await watcher.stop();
    await io.close();
    throw e;
  }

  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : hostForUrl(opts.host);
  const url = `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`;
  if (!opts.quiet) console.log(`vethlab is running: ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    token,
    port,
    lab,
    io,
    terminals,
    close() {
      closing ??= (async () => {
        hub.detach();
        terminalHub.detach();
        // Ending the server ends every shell and every reader: no orphan processes.
        await Promise.all([terminals.closeAll(), watcher.stop()]);
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.closeIdleConnections();
        await io.close();
        clearTimeout(cut);
        await closeNext();
      })();
      return closing;
    },
  };
}
