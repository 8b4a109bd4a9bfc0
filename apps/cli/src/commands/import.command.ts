import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { Pool } from 'pg';
import { CliError, EXIT } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';
import type * as Database from '../middle-auth-import/middle-auth-database';
import type * as Importer from '../middle-auth-import/middle-auth-import';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tessera';

export function register(program: Command, cli: CliRuntime): void {
  const importing = program.command('import').description('bring another system’s data into Tessera’s event log');
  importing
    .command('middle-auth')
    .description(
      'import a middle_auth database (users keep their ids as user numbers, API keys keep working); resumable, a second run adds nothing',
    )
    .requiredOption('--from <postgres url>', 'the middle_auth database')
    .option('--database <postgres url>', "Tessera's database (else DATABASE_URL)")
    .action(cli.action(importMiddleAuth));
}

async function importMiddleAuth(context: CliContext, options: { from: string; database?: string }): Promise<void> {
  usePathAliases();
  // Loaded here: the importer needs the compiled libraries, which only this command uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readMiddleAuth } = require('../middle-auth-import/middle-auth-database') as typeof Database;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { IMPORT_KINDS, runImport } = require('../middle-auth-import/middle-auth-import') as typeof Importer;
  const source = new Pool({ connectionString: options.from, max: 1 });
  const tessera = new Pool({ connectionString: options.database || context.io.env.DATABASE_URL || DEFAULT_DATABASE_URL, max: 2 });
  try {
    const rows = await readMiddleAuth(source).catch((error: Error) => {
      throw new CliError(`cannot read the middle_auth database: ${error.message}`, EXIT.unavailable);
    });
    context.out.note(
      `middle_auth: ${rows.users.length} users and service accounts, ${rows.apiKeys.length} API keys, ${rows.datasets.length} datasets`,
    );
    const bar = context.out.progress('import');
    const summary = await runImport(tessera, rows, (done, total, kind) => bar.update(done, total, kind));
    bar.stop();
    context.out.result(summary, () =>
      context.out.table(
        IMPORT_KINDS.map((kind) => ({ kind, ...summary[kind] })),
        [
          { header: 'kind', value: (row) => row.kind },
          { header: 'imported', value: (row) => row.imported },
          { header: 'skipped', value: (row) => row.skipped },
        ],
      ),
    );
  } finally {
    await Promise.all([source.end(), tessera.end()]);
  }
}

/** Compiled (dist/), `@tessera/<lib>` resolves through scripts/register-paths.js; under ts-jest the mapper does it. */
function usePathAliases(): void {
  const registerPaths = join(__dirname, '..', '..', '..', '..', '..', 'scripts', 'register-paths.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a side effect: aliases for the compiled libraries
  if (__filename.endsWith('.js') && existsSync(registerPaths)) require(registerPaths);
}
