import { Command, Option } from 'commander';
import { queryString } from '../api-client';
import { CliError, EXIT } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';

export function register(program: Command, cli: CliRuntime): void {
  program
    .command('check')
    .description('may the token do this? exit 0 when allowed, 77 when not')
    .argument('<permission>', 'view, edit, admin_view, …')
    .addOption(new Option('--dataset <name-or-id>', 'the dataset').conflicts(['service', 'table']))
    .option('--service <service>', 'a service (with --table)')
    .option('--table <table>', "the service's table (with --service)")
    .action(cli.action(check));
}

async function check(
  context: CliContext,
  permission: string,
  options: { dataset?: string; service?: string; table?: string },
): Promise<void> {
  if (!options.dataset && !(options.service && options.table))
    throw new CliError('check needs --dataset, or --service and --table', EXIT.usage);
  try {
    const answer = await context.api.json<{ allowed: boolean; revision: string }>(
      'GET',
      `/api/v1/check${queryString({ permission, ...options })}`,
    );
    context.out.result(answer, () => context.out.line(`allowed: ${permission} on ${describe(options)}`));
  } catch (error) {
    if (!(error instanceof CliError) || error.http?.status !== 403) throw error;
    const refusal = { allowed: false, error: error.http.error, message: error.http.message };
    context.out.result(refusal, () =>
      context.out.line(`denied: ${permission} on ${describe(options)} (${refusal.error}: ${refusal.message})`),
    );
    throw new CliError(`not allowed (${refusal.error})`, EXIT.auth);
  }
}

const describe = (options: { dataset?: string; service?: string; table?: string }): string =>
  options.dataset ? `dataset ${options.dataset}` : `table ${options.table} of ${options.service}`;
