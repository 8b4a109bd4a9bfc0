import { Command } from 'commander';
import type { CliContext, CliRuntime } from '../cli-context';
import { idOf, segment } from '../lookups';

interface GroupView {
  id: string;
  name: string;
  members?: { userId: string; name: string | null; admin: boolean }[];
}

export function register(program: Command, cli: CliRuntime): void {
  const groups = program.command('groups').description('groups and their members');
  groups
    .command('list')
    .description('the groups you may see')
    .action(
      cli.action(async (context: CliContext) => {
        const items = await context.api.all<GroupView>('/api/v1/groups?limit=500');
        context.out.result({ items }, () =>
          context.out.table(items, [
            { header: 'id', value: (group) => group.id },
            { header: 'name', value: (group) => group.name },
          ]),
        );
      }),
    );
  groups
    .command('show')
    .argument('<group>', 'name or id')
    .description('a group and its members')
    .action(
      cli.action(async (context: CliContext, group: string) => {
        const found = await context.api.json<GroupView>('GET', `/api/v1/groups/${segment(await idOf(context, 'groups', group))}`);
        context.out.result(found, () => {
          context.out.line(`group ${found.name} (${found.id})`);
          context.out.table(found.members ?? [], [
            { header: 'user', value: (member) => member.name ?? '' },
            { header: 'id', value: (member) => member.userId },
            { header: 'admin', value: (member) => (member.admin ? 'yes' : '') },
          ]);
        });
      }),
    );
  groups
    .command('create')
    .argument('<name>', 'a unique name')
    .description('create a group (super admin)')
    .action(
      cli.action(async (context: CliContext, name: string) => {
        const group = await context.api.json<GroupView>('POST', '/api/v1/groups', { name });
        context.out.result(group, () => context.out.line(`created group ${group.name} (${group.id})`));
      }),
    );
  groups
    .command('delete')
    .argument('<group>', 'name or id')
    .description('delete a group (super admin)')
    .action(
      cli.action(async (context: CliContext, group: string) => {
        const id = await idOf(context, 'groups', group);
        await context.api.request('DELETE', `/api/v1/groups/${segment(id)}`);
        context.out.result({ deleted: id }, () => context.out.line(`deleted group ${group}`));
      }),
    );

  const members = groups.command('members').description("a group's members (group admin or super admin)");
  members
    .command('add')
    .argument('<group>', 'name or id')
    .argument('<user>', 'user id')
    .option('--admin', 'as an admin of the group')
    .description('add a member, or change whether it is a group admin')
    .action(
      cli.action(async (context: CliContext, group: string, user: string, options: { admin?: boolean }) => {
        const id = await idOf(context, 'groups', group);
        const answer = await context.api.json('PUT', `/api/v1/groups/${segment(id)}/members/${segment(user)}`, {
          admin: Boolean(options.admin),
        });
        context.out.result(answer, () => context.out.line(`${user} is ${options.admin ? 'an admin' : 'a member'} of ${group}`));
      }),
    );
  members
    .command('remove')
    .argument('<group>', 'name or id')
    .argument('<user>', 'user id')
    .description('remove a member')
    .action(
      cli.action(async (context: CliContext, group: string, user: string) => {
        const id = await idOf(context, 'groups', group);
        await context.api.request('DELETE', `/api/v1/groups/${segment(id)}/members/${segment(user)}`);
        context.out.result({ removed: user, group: id }, () => context.out.line(`${user} left ${group}`));
      }),
    );
}
