// Compiles the CLI and the server to plain JavaScript (dist/cli/), so a run
// of `vethlab` does not compile TypeScript first: node starts it in a tenth of
// the time tsx takes. Small pure-JS dependencies (zod, yaml, cookie) are
// bundled: resolving zod's hundred ESM files cost more than parsing them. The
// web server's own (Next.js, socket.io, node-pty with its native part) stay in
// node_modules, and the web server is a chunk of its own, loaded only by
// `vethlab serve`. zod's translations of its messages into forty languages
// (its `locales` namespace, 290 kB the bundle cannot drop since `z` is one
// object) are left out: the English ones it uses are imported on their own,
// and `vethlab apply` loads zod 13 ms faster.
import { build } from 'esbuild';
import { ESM_FOR_NODE } from './esm-for-node.mjs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist/cli');
/** The first line esbuild's banner gives every file; the bin's is replaced by the launcher below. */
const SHEBANG = '#!/usr/bin/env node\n';
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { vethlab: path.join(root, 'server/cli/entry.ts') },
  outdir: out,
  ...ESM_FOR_NODE,
  external: ['next', 'next/*', 'socket.io', 'node-pty'],
  sourcemap: 'linked',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'zod-without-locales',
      setup(b) {
        b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined));
        b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
      },
    },
  ],
  // A shebang, so the bin runs as a program; and a require() for the CommonJS
  // packages bundled into these ES modules (cookie asks for node builtins).
  banner: { js: `${SHEBANG}import { createRequire as __vethlabRequire } from 'node:module'; const require = __vethlabRequire(import.meta.url);` },
});
// The package's bin: npm (and npx) run it as a program, through /bin/sh
// first. NODE_EXTRA_CA_CERTS (set machine-wide where a proxy has its own
// certificate authority, and on this project's machines) makes node read and
// parse that file at every start, before any script runs: 70 to 110 ms of a
// start of 40 here. vethlab makes no TLS connection, so its bin unsets it and
// then runs itself with node. The second line is a command to sh and a
// string and a comment to node; the source map moves down a line with it.
const bin = path.join(out, 'vethlab.mjs');
const LAUNCHER = '#!/bin/sh\n":" //; unset NODE_EXTRA_CA_CERTS; exec node "$0" "$@"\n';
const code = await readFile(bin, 'utf8');
if (!code.startsWith(SHEBANG)) throw new Error('dist/cli/vethlab.mjs does not start with the banner');
await writeFile(bin, LAUNCHER + code.slice(SHEBANG.length));
const map = JSON.parse(await readFile(`${bin}.map`, 'utf8'));
await writeFile(`${bin}.map`, JSON.stringify({ ...map, mappings: `;${map.mappings}` }));
await chmod(bin, 0o755);
// The lab machine's PID 1 is read next to the code that starts it.
await copyFile(path.join(root, 'server/machine/lab-init.sh'), path.join(out, 'lab-init.sh'));
