import { Command } from 'commander';
import type { UserView } from '@tessera/contracts';
import { queryString } from '../api-client';
import type { CliContext, CliRuntime } from '../cli-context';
import { segment } from '../lookups';

const columns = [
  { header: 'id', value: (user: UserView) => user.id },
  { header: 'name', value: (user: UserView) => user.name },
  { header: 'email', value: (user: UserView) => user.email ?? '' },
  { header: 'flags', value: (user: UserView) => flags(user) },
];

const flags = (user: UserView): string =>
  [user.admin && 'admin', user.readOnly && 'read-only', user.serviceAccount && 'service', !user.active && 'deactivated']
    .filter(Boolean)
    .join(',');

export function register(program: Command, cli: CliRuntime): void {
  const users = program.command('users').description('people and service accounts (super admin)');
  users
    .command('list')
    .description('every user, or those matching --search')
    .option('--search <text>', 'part of the name or e-mail')
    .action(
      cli.action(async (context: CliContext, options: { search?: string }) => {
        const items = await context.api.all<UserView>(`/api/v1/users${queryString({ q: options.search, limit: 500 })}`);
        context.out.result({ items }, () => context.out.table(items, columns));
      }),
    );
  users
    .command('show')
    .argument('<id>', 'user id')
    .description('one user')
    .action(
      cli.action(async (context: CliContext, id: string) => {
        const user = await context.api.json<UserView>('GET', `/api/v1/users/${segment(id)}`);
        context.out.result(user, () => context.out.table([user], columns));
      }),
    );
  users
    .command('create')
    .argument('<name>', 'the name shown everywhere')
    .option('--email <email>', 'e-mail address')
    .description('register a user ahead of their first login')
    .action(
      cli.action(async (context: CliContext, name: string, options: { email?: string }) => {
        const user = await context.api.json<UserView>('POST', '/api/v1/users', {
          name,
          ...(options.email ? { email: options.email } : {}),
        });
        context.out.result(user, () => context.out.line(`created user ${user.name} (${user.id})`));
      }),
    );
  users
    .command('update')
    .argument('<id>', 'user id')
    .option('--name <name>', 'a new name')
    .option('--admin', 'make a super admin')
    .option('--no-admin', 'no longer a super admin')
    .option('--read-only', 'may never hold edit')
    .option('--no-read-only', 'may hold edit again')
    .description('change a user')
    .action(
      cli.action(async (context: CliContext, id: string, options: { name?: string; admin?: boolean; readOnly?: boolean }) => {
        const user = await context.api.json<UserView>('PATCH', `/api/v1/users/${segment(id)}`, options);
        context.out.result(user, () => context.out.table([user], columns));
      }),
    );
  users
    .command('deactivate')
    .argument('<id>', 'user id')
    .description('deactivate: every token of the user is revoked and memberships end')
    .action(
      cli.action(async (context: CliContext, id: string) => {
        await context.api.request('DELETE', `/api/v1/users/${segment(id)}`);
        context.out.result({ deactivated: id }, () => context.out.line(`deactivated ${id}`));
      }),
    );
}
