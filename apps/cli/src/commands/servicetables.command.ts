import { Command } from 'commander';
import type { ServiceTableView } from '@tessera/contracts';
import { queryString } from '../api-client';
import type { CliContext, CliRuntime } from '../cli-context';
import { idOf, segment } from '../lookups';

export function register(program: Command, cli: CliRuntime): void {
  const tables = program.command('servicetables').description("services' table names mapped to datasets");
  tables
    .command('list')
    .option('--service <service>', 'only this service')
    .description('the mappings')
    .action(
      cli.action(async (context: CliContext, options: { service?: string }) => {
        const items = await context.api.all<ServiceTableView>(`/api/v1/servicetables${queryString({ service: options.service })}`);
        context.out.result({ items }, () =>
          context.out.table(items, [
            { header: 'service', value: (row) => row.service },
            { header: 'table', value: (row) => row.table },
            { header: 'dataset', value: (row) => row.datasetName ?? row.dataset },
          ]),
        );
      }),
    );
  tables
    .command('set')
    .argument('<service>', 'the service')
    .argument('<table>', "the service's table name")
    .argument('<dataset>', 'dataset name or id')
    .description('map a table to a dataset (super admin)')
    .action(
      cli.action(async (context: CliContext, service: string, table: string, dataset: string) => {
        const id = await idOf(context, 'datasets', dataset);
        const answer = await context.api.json('PUT', `/api/v1/servicetables/${segment(service)}/${segment(table)}`, { dataset: id });
        context.out.result(answer, () => context.out.line(`${service}/${table} → ${dataset}`));
      }),
    );
  tables
    .command('remove')
    .argument('<service>', 'the service')
    .argument('<table>', "the service's table name")
    .description('remove a mapping (super admin)')
    .action(
      cli.action(async (context: CliContext, service: string, table: string) => {
        await context.api.request('DELETE', `/api/v1/servicetables/${segment(service)}/${segment(table)}`);
        context.out.result({ service, table, removed: true }, () => context.out.line(`${service}/${table} removed`));
      }),
    );
}
