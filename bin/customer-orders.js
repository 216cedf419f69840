#!/usr/bin/env node
// The package's command. Node.js 22.18+ runs the TypeScript sources directly.
import '../src/cli.ts';
