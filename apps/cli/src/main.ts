#!/usr/bin/env node
import { run } from './program';

/** The `tessera` command line (bin/tessera.js runs this file once the project is built). */
export function main(): void {
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tessera: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) main();
