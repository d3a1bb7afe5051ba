/**
 * One Node process for the whole web lab: an HTTP server that serves the
 * page (the static export of the Next.js app, static-page.ts; Next.js itself
 * only in development mode) and hosts socket.io on the same port, behind the
 * token, Host and Origin checks of access.ts.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { statSync } from 'node:fs';
import { Server } from 'socket.io';
import type { Lab } from '../engine/lab';
import { DEFAULT_LAB, LabRegistry, labPath } from '../engine/lab-registry';
import { readTopologyFile } from '../engine/topology-source';
import { formatErrors } from '../model/topology-errors';
import { MAX_SOCKET_MESSAGE_BYTES } from '../protocol';
import { AccessPolicy, hostForUrl, tokenDigest, type Grant } from './access';
import { Classroom } from '../classroom/classroom';
import { attachAdmin, type AdminNamespace } from './admin-handlers';
import { LABS_PAGE_PATH, labOfPath, passGate, sendHtml, sendText } from './http-gate';
import type { LabSocket, SocketData } from './lab-channel';
import { LabHub } from './lab-hub';
import { loadStaticPage, type PageRoute } from './static-page';
import { endOrphanMachines } from '../machine/lab-machine';
import type { TerminalManager } from '../terminal/terminal-manager';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir?: string;
  /** Cable the real machine: one lab in its /run/netns (today's behaviour before lab machines). */
  realHost?: boolean;
  /** A topology file applied to the default lab at start. */
  topologyFile?: string;
  /** More names the Host header may carry (--allow-host), besides $VETHLAB_ALLOWED_HOSTS. */
  allowHosts?: string[];
  /** Next.js in development mode (hot reload); only for working on the page. */
  dev?: boolean;
  /** false: serve a placeholder page instead of the built one (socket tests need no build). */
  page?: boolean;
  quiet?: boolean;
}

export interface RunningServer {
  /** The default lab's URL, with its edit token. */
  url: string;
  /** The URL that opens every lab, with the admin token. */
  adminUrl: string;
  /** The default lab's edit token. */
  token: string;
  port: number;
  registry: LabRegistry;
  /** The default lab. */
  lab: Lab;
  /** The default lab's terminals. */
  terminals: TerminalManager;
  io: Server;
  /** The hub of a lab (started on first use). */
  hub(name: string): Promise<LabHub>;
  /** The classes of the teacher's page. */
  classroom: Classroom;
  /** A lab's URL with its edit or view token. */
  labUrl(name: string, role?: 'edit' | 'view'): string;
  close(): Promise<void>;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `next build` exports the page (next.config's output: 'export'). */
const PAGE_DIR = 'out';

/** socket.io's default path; its engine answers every request under it. */
const SOCKET_IO_PATH = '/socket.io/';

/** How long close() waits for open connections before cutting them. */
const CLOSE_GRACE_MS = 2000;

type Handler = (req: IncomingMessage, res: ServerResponse, route: PageRoute) => void;

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vethlab</title></head>
<body><p>vethlab is running without its web page (started with page: false). Scripts talk to it over socket.io; see docs/protocol.md.</p></body></html>
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
async function devHandler(port: number, host: string, quiet: boolean, upgrades: EventEmitter): Promise<{ handle: Handler; close(): Promise<void> }> {
  // Next.js sends usage data to its makers unless told not to; a lab talks to nobody outside this machine.
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  const { default: next } = await import('next');
  const app = next({ dev: true, dir: REPO_ROOT, port, hostname: host, quiet, httpServer: upgrades as unknown as HttpServer });
  try {
    await app.prepare();
  } catch (e) {
    throw new Error(`the web page could not be started: ${(e as Error).message}`);
  }
  const handle = app.getRequestHandler();
  return {
    handle: (req, res, route) => {
      // Every lab has the one page, as in the export (which has no /lab/NAME route); it reads the lab's name from the address.
      if (route === 'lab') req.url = `/${new URL(req.url ?? '/', 'http://vethlab.invalid').search}`;
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

/** Where real-host mode keeps its shells' home and rcfile: readable by the shell user, unlike the data directory (0700) and /run/vethlab (0700). */
const REAL_HOST_SHELL_DIR = '/run/vethlab-shell';
/** Lab sockets connect to /lab/NAME. */
const LAB_NAMESPACE = /^\/lab\/([a-z0-9][a-z0-9-]{0,30})$/;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const registry = new LabRegistry({ dataDir: opts.dataDir, realHost: opts.realHost, persistentReaders: true });
  const orphans = await endOrphanMachines();
  if (orphans > 0 && !opts.quiet) console.error(`ended ${orphans} lab machine(s) whose lab directory is gone`);
  const topology = opts.topologyFile ? await readTopology(opts.topologyFile) : undefined;

  const hubs = new Map<string, Promise<LabHub>>();
  const hubOf = (name: string): Promise<LabHub> => {
    let hub = hubs.get(name);
    if (!hub) {
      hub = (async () => {
        const h = new LabHub(registry.lab(name), REAL_HOST_SHELL_DIR);
        await h.start();
        return h;
      })();
      hubs.set(name, hub);
      hub.catch(() => hubs.delete(name));
    }
    return hub;
  };

  // Token -> grant, rebuilt when a token is not found (a lab made by the CLI meanwhile).
  let grants = new Map<string, Grant>();
  const loadGrants = () => {
    const next = new Map<string, Grant>([[tokenDigest(registry.adminToken()), { scope: 'admin', role: 'admin' }]]);
    for (const lab of registry.names()) {
      const t = registry.tokens(lab);
      next.set(tokenDigest(t.edit), { scope: 'lab', lab, role: 'edit' });
      next.set(tokenDigest(t.view), { scope: 'lab', lab, role: 'view' });
    }
    grants = next;
  };
  let lastReload = 0;
  let labsVersion = '';
  const labsDirVersion = () => String(statSync(path.join(registry.dataDir, 'labs'), { throwIfNoEntry: false })?.mtimeMs ?? '');
  const resolve = (token: string): Grant | null => {
    const key = tokenDigest(token);
    const found = grants.get(key);
    if (found) return found;
    // An unknown token is looked up again when a lab was added (the labs directory changed), or at most once a second.
    const version = labsDirVersion();
    if (version === labsVersion && Date.now() - lastReload < GRANT_RELOAD_MS) return null;
    lastReload = Date.now();
    labsVersion = version;
    loadGrants();
    return grants.get(key) ?? null;
  };

  // The default lab always exists; every other lab the data directory holds starts too.
  registry.create(DEFAULT_LAB);
  loadGrants();
  const defaultHub = await hubOf(DEFAULT_LAB);
  await Promise.all(registry.names().map((n) => hubOf(n)));
  if (topology) {
    const result = await defaultHub.lab.apply(topology, { observeAfter: true, label: `apply ${opts.topologyFile}` });
    if (result.errors?.length) throw new Error(`--topology: ${opts.topologyFile} cannot be applied; nothing was changed:\n${formatErrors(result.errors)}`);
    if (result.failure && !opts.quiet) console.error(`warning: "${result.failure.command}" failed: ${result.failure.message}; the lab is left as far as it got`);
  }

  let policy: AccessPolicy | undefined;
  // Set once the port is known; the classroom asks for links only after that.
  let labUrl: (name: string, role?: 'edit' | 'view') => string = () => '';
  let handle: Handler | undefined;
  const server = createServer((req, res) => {
    if (!policy || !handle) return sendText(res, 503, 'vethlab is starting; reload in a moment\n');
    const role = passGate(policy, req, res, DEFAULT_LAB);
    if (!role) return;
    const pathname = new URL(req.url ?? '/', 'http://vethlab.invalid').pathname;
    // The teacher's page is the page's own /labs route; without the page (tests), a plain list of labs.
    if (opts.page === false && pathname === LABS_PAGE_PATH) return sendHtml(res, 200, labsPage(registry));
    const lab = labOfPath(pathname, DEFAULT_LAB);
    if (lab !== undefined && !registry.exists(lab)) return sendText(res, 404, `there is no lab "${lab.slice(0, 64)}"\n`);
    handle(req, res, pathname === LABS_PAGE_PATH ? 'labs' : lab !== undefined ? 'lab' : 'file');
  });
  const io = new Server(server, {
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
  // The root namespace serves nothing: every lab has its own.
  io.use((_socket, next) => next(new Error('connect to /lab/NAME (the lab\'s own namespace), not /')));
  const labSockets = io.of((name, _auth, next) => {
    const m = LAB_NAMESPACE.exec(name);
    next(null, m !== null && registry.exists(m[1]));
  });
  labSockets.use((socket, next) => {
    const lab = LAB_NAMESPACE.exec(socket.nsp.name)![1];
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const role = policy?.roleFor(lab, socket.handshake.headers.cookie, auth?.token);
    if (!role) return next(new Error(`vethlab needs a token of lab "${lab}": open the lab's link, or pass auth: { token }`));
    socket.data = { lab, role };
    next();
  });
  // The teacher's page: the admin token only.
  const classroom = new Classroom({
    registry,
    hub: hubOf,
    dropLab: async (name) => {
      const hub = hubs.get(name);
      hubs.delete(name);
      if (hub) await (await hub.catch(() => undefined))?.stop();
      await registry.delete(name);
    },
    labUrl: (name, role) => labUrl(name, role),
  });
  const adminSockets = io.of('/admin') as AdminNamespace;
  adminSockets.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const role = policy?.roleFor('', socket.handshake.headers.cookie, auth?.token);
    if (role !== 'admin') return next(new Error('vethlab needs the admin token for the teacher page: open the admin link "vethlab serve" printed'));
    next();
  });
  attachAdmin(adminSockets, classroom, hubOf);
  // A class whose teacher shares their lab keeps sharing it after a restart.
  const reshare = () => Promise.all(classroom.store.names().map((n) => classroom.store.get(n)).filter((c) => c?.shared).map((c) => classroom.announceShare(c!)));
  labSockets.on('connection', (socket) => {
    const lab = (socket.data as SocketData).lab;
    hubOf(lab).then(
      (hub) => hub.channel.connect(socket as LabSocket),
      () => socket.disconnect(true),
    );
  });

  const nextUpgrades = new EventEmitter();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.url?.startsWith(SOCKET_IO_PATH)) return; // engine.io's own listener takes it
    // Only development mode has WebSockets of its own (hot reload), and they need the same checks as a page.
    const allowed = opts.dev && policy && policy.hostAllowed(req.headers.host) && policy.originAllowed(req.headers.origin, req.headers.host) && policy.anyGrant(req.headers.cookie);
    if (allowed) nextUpgrades.emit('upgrade', req, socket, head);
    else socket.destroy();
  });

  const stopHubs = async () => {
    const all = await Promise.allSettled([...hubs.values()]);
    await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
  };

  await listen(server, opts.port, opts.host);
  const port = (server.address() as AddressInfo).port;
  let closeNext = async () => {};
  try {
    policy = new AccessPolicy({ resolve, port, host: opts.host, allowHosts: [...(opts.allowHosts ?? []), ...hostsFromEnv()] });
    if (opts.page === false) {
      handle = (_req, res) => sendHtml(res, 200, PLACEHOLDER_PAGE);
    } else if (opts.dev) {
      const app = await devHandler(port, opts.host, opts.quiet ?? false, nextUpgrades);
      closeNext = app.close;
      handle = app.handle;
    } else {
      handle = loadStaticPage(path.join(REPO_ROOT, PAGE_DIR)).handle;
    }
  } catch (e) {
    await stopHubs();
    await io.close();
    throw e;
  }

  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : hostForUrl(opts.host);
  const base = `http://${shownHost}:${port}`;
  labUrl = (name: string, role: 'edit' | 'view' = 'edit') => `${base}${labPath(name)}?token=${registry.tokens(name)[role]}`;
  await reshare();
  const url = labUrl(DEFAULT_LAB);
  const adminUrl = `${base}${LABS_PAGE_PATH}?token=${registry.adminToken()}`;
  if (!opts.quiet) {
    console.log(`vethlab is running: ${url}`);
    console.log(`every lab (admin):  ${adminUrl}`);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    adminUrl,
    token: registry.tokens(DEFAULT_LAB).edit,
    port,
    registry,
    lab: defaultHub.lab,
    terminals: defaultHub.terminals,
    io,
    hub: hubOf,
    labUrl,
    classroom,
    close() {
      closing ??= (async () => {
        // Ending the server ends every shell and every reader: no orphan processes. The lab machines stay.
        await stopHubs();
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

/** How often an unknown token may make the server read the labs' tokens again. */
const GRANT_RELOAD_MS = 1000;

/** The admin's list of labs, each with its edit and view link. */
function labsPage(registry: LabRegistry): string {
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = registry
    .names()
    .map((name) => {
      const t = registry.tokens(name);
      const path = labPath(name);
      return `<tr><td><a href="${esc(path)}">${esc(name)}</a></td><td><a href="${esc(path)}?token=${t.edit}">edit link</a></td><td><a href="${esc(path)}?token=${t.view}">view link</a></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vethlab: labs</title>
<style>body{font-family:system-ui,sans-serif;max-width:48em;margin:3em auto;font-size:18px}td{padding:.4em 1em}</style></head>
<body><h1>Labs on this server</h1><table>${rows}</table>
<p>Each edit link opens one lab for someone to work in; a view link shows it without changing anything. This page's own link opens every lab.</p></body></html>
`;
}
