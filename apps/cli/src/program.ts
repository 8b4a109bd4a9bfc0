import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './cli-error';
import { runtime, type CliRuntime } from './cli-context';
import type { CliIo } from './output';

/**
 * A command module: a file `commands/<name>.command.ts` exporting `register`. Adding a command is
 * a one-file affair: drop such a file into commands/ and it is picked up (no list to edit).
 */
export interface CommandModule {
  register(program: Command, cli: CliRuntime): void;
}

const COMMANDS_DIR = join(__dirname, 'commands');

function commandModules(): CommandModule[] {
  return (
    readdirSync(COMMANDS_DIR)
      .filter((file) => /\.command\.(js|ts)$/.test(file) && !file.endsWith('.d.ts'))
      .sort()
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- commands are found on disk, loaded synchronously
      .map((file) => require(join(COMMANDS_DIR, file)) as CommandModule)
  );
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('tessera')
    .description('The command line of Tessera: device login, tokens, administration, audit.')
    .addOption(new Option('--json', 'machine-readable output (JSON on stdout)'))
    .addOption(new Option('--token <token>', 'the token to use (else TESSERA_TOKEN, else the stored login)'))
    .addOption(new Option('--url <url>', 'the gateway (else TESSERA_URL, else the stored login, else http://127.0.0.1:3000)'))
    .addOption(new Option('--min-revision <n>', 'answers reflect at least this revision (the "revision" a write printed)'))
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 failed, ${EXIT.usage} usage, ${EXIT.notFound} not found, ${EXIT.unavailable} unavailable,
${EXIT.auth} refused (401/403, denied or expired login), ${EXIT.notLoggedIn} not logged in.`,
    );
  const cli = runtime(io);
  for (const module of commandModules()) module.register(program, cli);
  return program;
}

/** Runs one command line; resolves to the exit code (never calls process.exit itself). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its message or the help already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.executeSubCommandAsync') return EXIT.failure;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`tessera: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`tessera: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}
