#!/usr/bin/env node
// The `vethlab` command: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
