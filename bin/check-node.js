// Runs first, under whatever Node.js is installed: an older one cannot load the
// TypeScript sources and would die with a stack trace. Plain JavaScript on purpose.
// Keep in step with `engines` in package.json.
import process from 'node:process';

const NEEDED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < NEEDED_MAJOR) {
  process.stderr.write(
    `customer-orders needs Node.js ${NEEDED_MAJOR} or newer (this is ${process.versions.node}): ` +
      `install it from https://nodejs.org or with nvm (nvm install ${NEEDED_MAJOR})\n`,
  );
  process.exit(1);
}
