#!/usr/bin/env node
// The `dmc` command. The project runs its TypeScript directly through tsx (no build step), so a fresh clone
// works right after `npm ci`; tsx's ESM loader is registered before the CLI module is imported.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv);
