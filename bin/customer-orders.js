#!/usr/bin/env node
// The package's command. Node.js 24 runs the TypeScript sources directly; the
// version check comes first, and the CLI is imported only after it (a static
// import would be loaded, and fail on an older Node.js, before the check runs).
// The compile cache, as in server.js: from the second run on, no TypeScript stripper.
import './check-node.js';
import module from 'node:module';

module.enableCompileCache();

await import('../src/cli.ts');
