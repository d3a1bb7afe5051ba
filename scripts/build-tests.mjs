// Compiles test files to plain JavaScript (dist/test/), so each test process
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
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
export const TEST_BUILD_DIR = path.join(root, 'dist/test');

/** The compiled file of `test/NAME.test.ts`, relative to the repository. */
export const builtTest = (name) => `dist/test/${name}.test.mjs`;

/** Where a source file is, written into it in place of import.meta's fields. */
function ownPlace(file, text) {
  return text
    .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
    .replaceAll('import.meta.filename', JSON.stringify(file))
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href));
}

/** Compiles `test/NAME.test.ts` for each name to dist/test/NAME.test.mjs. */
export async function buildTests(names) {
  await rm(TEST_BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: names.map((n) => path.join(root, 'test', `${n}.test.ts`)),
    outdir: TEST_BUILD_DIR,
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
}
