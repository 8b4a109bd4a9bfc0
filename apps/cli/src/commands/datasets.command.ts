import { Command } from 'commander';
import type { DatasetView } from '@tessera/contracts';
import type { CliContext, CliRuntime } from '../cli-context';
import { idOf, segment } from '../lookups';

const columns = [
  { header: 'id', value: (dataset: DatasetView) => dataset.id },
  { header: 'name', value: (dataset: DatasetView) => dataset.name },
  { header: 'description', value: (dataset: DatasetView) => dataset.description ?? '' },
  { header: 'terms', value: (dataset: DatasetView) => (dataset.tos ? `v${dataset.tos.version} ${dataset.tos.title}` : '') },
];

export function register(program: Command, cli: CliRuntime): void {
  const datasets = program.command('datasets').description('datasets and their admins');
  datasets
    .command('list')
    .description('the datasets you may see')
    .action(
      cli.action(async (context: CliContext) => {
        const items = await context.api.all<DatasetView>('/api/v1/datasets?limit=500');
        context.out.result({ items }, () => context.out.table(items, columns));
      }),
    );
  datasets
    .command('show')
    .argument('<dataset>', 'name or id')
    .description('one dataset')
    .action(
      cli.action(async (context: CliContext, dataset: string) => {
        const found = await context.api.json<DatasetView>('GET', `/api/v1/datasets/${segment(await idOf(context, 'datasets', dataset))}`);
        context.out.result(found, () => context.out.table([found], columns));
      }),
    );
  datasets
    .command('create')
    .argument('<name>', 'a unique name')
    .option('--description <text>', 'what it holds')
    .description('create a dataset (super admin)')
    .action(
      cli.action(async (context: CliContext, name: string, options: { description?: string }) => {
        const created = await context.api.json<DatasetView>('POST', '/api/v1/datasets', { name, ...options });
        context.out.result(created, () => context.out.line(`created dataset ${created.name} (${created.id})`));
      }),
    );
  datasets
    .command('delete')
    .argument('<dataset>', 'name or id')
    .description('delete a dataset (super admin)')
    .action(
      cli.action(async (context: CliContext, dataset: string) => {
        const id = await idOf(context, 'datasets', dataset);
        await context.api.request('DELETE', `/api/v1/datasets/${segment(id)}`);
        context.out.result({ deleted: id }, () => context.out.line(`deleted dataset ${dataset}`));
      }),
    );
  const admins = datasets.command('admins').description("a dataset's admins (super admin)");
  for (const [verb, method, says] of [
    ['add', 'PUT', 'is an admin of'],
    ['remove', 'DELETE', 'is no longer an admin of'],
  ] as const) {
    admins
      .command(verb)
      .argument('<dataset>', 'name or id')
      .argument('<user>', 'user id')
      .description(`${verb} a dataset admin`)
      .action(
        cli.action(async (context: CliContext, dataset: string, user: string) => {
          const id = await idOf(context, 'datasets', dataset);
          await context.api.request(method, `/api/v1/datasets/${segment(id)}/admins/${segment(user)}`);
          context.out.result({ dataset: id, user, admin: verb === 'add' }, () => context.out.line(`${user} ${says} ${dataset}`));
        }),
      );
  }
}
