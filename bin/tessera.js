#!/usr/bin/env node
// `npx tessera`: the command line lives in apps/cli (TypeScript) and runs from the build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('tessera: the command line is not built yet: run `npm run build` (or `npx tsc -p tsconfig.build.json`)\n');
  process.exit(69);
}
require(main).main();
