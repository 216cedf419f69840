// Entry of `npm start`. Plain JavaScript on purpose, like customer-orders.js: the
// version check comes first, then Node.js's compile cache is switched on before any
// .ts file loads, and only then is the server imported.
//
// The cache (in the system's temporary directory) keeps each module's type-stripped
// and compiled code between starts. From the second start on, Node.js then never
// loads its TypeScript stripper (swc built to WebAssembly), which would otherwise
// hold about 30 MB for the life of the process. Where the cache cannot be written,
// the server runs as before.
import './check-node.js';
import module from 'node:module';

module.enableCompileCache();

// Resolves once the server listens: write the cache now, not only at exit, so that
// it is there for the next start even if this process is killed.
await import('../src/server.ts');
module.flushCompileCache();
