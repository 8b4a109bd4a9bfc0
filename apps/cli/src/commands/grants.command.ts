import { Command } from 'commander';
import type { GrantView } from '@tessera/contracts';
import type { CliContext, CliRuntime } from '../cli-context';
import { idOf, segment } from '../lookups';

export function register(program: Command, cli: CliRuntime): void {
  const grants = program.command('grants').description('which group holds which permission on a dataset (dataset admin or super admin)');
  grants
    .command('list')
    .argument('<dataset>', 'name or id')
    .description("a dataset's grants")
    .action(
      cli.action(async (context: CliContext, dataset: string) => {
        const id = await idOf(context, 'datasets', dataset);
        const items = await context.api.all<GrantView>(`/api/v1/datasets/${segment(id)}/grants?limit=500`);
        context.out.result({ items }, () =>
          context.out.table(items, [
            { header: 'group', value: (grant) => grant.groupName ?? grant.groupId },
            { header: 'permission', value: (grant) => grant.permission },
            { header: 'until', value: (grant) => (grant.expired ? `expired ${grant.expiresAt}` : (grant.expiresAt ?? 'always')) },
          ]),
        );
      }),
    );
  grants
    .command('add')
    .argument('<dataset>', 'name or id')
    .argument('<group>', 'name or id')
    .argument('<permission>', 'view, edit, admin_view, …')
    .option('--until <iso>', 'the grant ends at this time')
    .description('grant a permission on a dataset to a group')
    .action(
      cli.action(async (context: CliContext, dataset: string, group: string, permission: string, options: { until?: string }) => {
        const path = await grantPath(context, dataset, group, permission);
        const answer = await context.api.json('PUT', path, options.until ? { expiresAt: options.until } : {});
        context.out.result(answer, () =>
          context.out.line(`${group} holds ${permission} on ${dataset}${options.until ? ` until ${options.until}` : ''}`),
        );
      }),
    );
  grants
    .command('remove')
    .argument('<dataset>', 'name or id')
    .argument('<group>', 'name or id')
    .argument('<permission>', 'the permission')
    .description('take a permission back')
    .action(
      cli.action(async (context: CliContext, dataset: string, group: string, permission: string) => {
        await context.api.request('DELETE', await grantPath(context, dataset, group, permission));
        context.out.result({ dataset, group, permission, removed: true }, () =>
          context.out.line(`${group} no longer holds ${permission} on ${dataset}`),
        );
      }),
    );
}

async function grantPath(context: CliContext, dataset: string, group: string, permission: string): Promise<string> {
  const [datasetId, groupId] = await Promise.all([idOf(context, 'datasets', dataset), idOf(context, 'groups', group)]);
  return `/api/v1/datasets/${segment(datasetId)}/grants/${segment(groupId)}/${segment(permission)}`;
}
