/**
 * `vethlab serve`: parses its flags and starts the server. The CLI delegates
 * here; it also runs on its own: `node --import tsx server/web/main.ts --port 0`.
 */
import { fchmodSync, fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startServer, type RunningServer } from './serve';

import { DEFAULT_HOST, DEFAULT_PORT, SERVE_USAGE } from './serve-usage';

export class ServeUsageError extends Error {}

export interface ServeArgs {
  port: number;
  host: string;
  topologyFile?: string;
  dataDir?: string;
  realHost: boolean;
  allowHosts: string[];
  dev: boolean;
  help: boolean;
}

export function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: String(DEFAULT_PORT) },
        host: { type: 'string', default: DEFAULT_HOST },
        topology: { type: 'string' },
        'data-dir': { type: 'string' },
        'real-host': { type: 'boolean', default: false },
        'allow-host': { type: 'string', multiple: true },
        dev: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ServeUsageError((e as Error).message);
  }
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new ServeUsageError(`--port: "${values.port}" is not a port number (0 to 65535)`);
  if (!/^[0-9A-Za-z.:-]+$/.test(values.host)) throw new ServeUsageError(`--host: "${values.host}" is not an address or host name`);
  return {
    port,
    host: values.host,
    topologyFile: values.topology,
    dataDir: values['data-dir'],
    realHost: values['real-host'],
    allowHosts: values['allow-host'] ?? [],
    dev: values.dev,
    help: values.help,
  };
}

/**
 * The printed URLs carry tokens. Output redirected to a file (`vethlab serve >
 * serve.log`) is made readable by its owner only, so no other user (nor a
 * real-host terminal's user) can read the tokens in it.
 */
export function protectRedirectedOutput(fds: number[] = [1, 2]): void {
  for (const fd of fds) {
    try {
      const st = fstatSync(fd);
      if (st.isFile() && (st.mode & 0o077) !== 0) fchmodSync(fd, st.mode & 0o700);
    } catch {
      // Not a file we may change: a terminal, a pipe, a socket.
    }
  }
}

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. Resolves once it is listening. */
export async function runServe(argv: string[]): Promise<RunningServer | undefined> {
  const args = parseServeArgs(argv);
  if (args.help) {
    console.log(SERVE_USAGE);
    return undefined;
  }
  protectRedirectedOutput();
  const running = await startServer({
    port: args.port,
    host: args.host,
    dataDir: args.dataDir,
    realHost: args.realHost,
    topologyFile: args.topologyFile,
    allowHosts: args.allowHosts,
    dev: args.dev,
    // Tests that start servers as processes and need no page (web/restart) set VETHLAB_NO_PAGE=1.
    page: process.env.VETHLAB_NO_PAGE !== '1',
  });
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return running;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runServe(process.argv.slice(2)).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(e instanceof ServeUsageError ? 2 : 1);
  });
}
