#!/usr/bin/env node
// `vethlab` from the TypeScript sources, through tsx: for development. The
// package's bin is the compiled dist/cli/vethlab.mjs (npm run build).
import { register } from 'tsx/esm/api';

register();
await import('./entry.ts');
