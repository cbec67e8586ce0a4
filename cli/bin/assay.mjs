#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step between a change and its use.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
