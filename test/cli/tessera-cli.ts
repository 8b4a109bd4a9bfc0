import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '@tessera/testing';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A config home of its own, so no test reads or writes the stored login of the machine. */
export function configHome(): string {
  return mkdtempSync(join(tmpdir(), 'tessera-cli-'));
}

/** `npx tessera …` as a child process (the built bin), with the environment given and nothing else stored. */
export function tesseraCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'tessera.js'), ...args],
      { env: { ...process.env, TESSERA_TOKEN: '', TESSERA_URL: '', XDG_CONFIG_HOME: configHome(), ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
