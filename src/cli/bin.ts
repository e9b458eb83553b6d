#!/usr/bin/env node
// The `edgewatch` command of the collector package (bin). In the repository, bin/edgewatch.js
// runs the same main() from the TypeScript sources.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
