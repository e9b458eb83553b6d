#!/usr/bin/env node
// The `edgewatch` command in the repository (`npm run edgewatch`): the CLI's TypeScript sources,
// compiled on the fly by tsx. The collector package ships the compiled src/cli/bin.ts instead.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
