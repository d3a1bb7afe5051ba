// Compiles test files to plain JavaScript (dist/test/run-PID/), so each test process
// starts with node alone: through tsx, every module a test loads (the server's
// and Next.js's included) passes tsx's loader hooks, which cost a test file
// that starts a server two CPU-seconds of its five.
//
// Each test file is bundled with the sources it imports (packages stay in
// node_modules), in shared chunks. import.meta.dirname, .filename and .url
// are replaced by those of the source file, so paths a module computes from
// its own place (the repository root, lab-init.sh) are the same as from the
// sources. Source maps are inline: node --enable-source-maps reports failures
// at the lines of the .ts files.
import { build } from 'esbuild';
import { ESM_FOR_NODE } from './esm-for-node.mjs';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
/** Each run compiles into a directory of its own, dist/test/run-PID: two runs at once must not swap each other's chunks. */
const TEST_BUILD_DIR = path.join(root, 'dist/test');

/** The compiled file of `test/NAME.test.ts` in a run's directory, relative to the repository. */
export const builtTest = (dir, name) => path.relative(root, path.join(dir, `${name}.test.mjs`));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Removes what runs that are gone left (a run killed before its end). */
async function removeStale() {
  const entries = await readdir(TEST_BUILD_DIR).catch(() => []);
  for (const e of entries) {
    const pid = /^run-(\d+)$/.exec(e)?.[1];
    if (pid === undefined || !alive(Number(pid))) await rm(path.join(TEST_BUILD_DIR, e), { recursive: true, force: true });
  }
}

/** Where a source file is, written into it in place of import.meta's fields. */
function ownPlace(file, text) {
  return text
    .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
    .replaceAll('import.meta.filename', JSON.stringify(file))
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href));
}

/** Compiles `test/NAME.test.ts` for each name into this run's directory, which it returns; `done()` removes it. */
export async function buildTests(names) {
  await removeStale();
  const dir = path.join(TEST_BUILD_DIR, `run-${process.pid}`);
  await build({
    entryPoints: names.map((n) => path.join(root, 'test', `${n}.test.ts`)),
    outdir: dir,
    outbase: path.join(root, 'test'),
    ...ESM_FOR_NODE,
    packages: 'external',
    jsx: 'automatic',
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [
      {
        name: 'own-place',
        setup(b) {
          b.onLoad({ filter: /\.[cm]?tsx?$/ }, async ({ path: file }) => ({ contents: ownPlace(file, await readFile(file, 'utf8')), loader: file.endsWith('x') ? 'tsx' : 'ts' }));
        },
      },
    ],
  });
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}
