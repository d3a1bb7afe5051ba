// How the CLI, the server and the tests are compiled (esbuild): ES modules
// for node 20 (package.json's engines), bundled, shared code split into chunks.
export const ESM_FOR_NODE = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
};
