import { Command } from 'commander';
import type { CliContext, CliRuntime } from '../cli-context';
import { segment } from '../lookups';

interface AppView {
  id: string;
  url: string;
  createdAt: string;
}

export function register(program: Command, cli: CliRuntime): void {
  const apps = program.command('apps').description('trusted application URLs, where logins may return');
  apps
    .command('list')
    .description('the registered apps')
    .action(
      cli.action(async (context: CliContext) => {
        const { items } = await context.api.json<{ items: AppView[] }>('GET', '/api/v1/apps', undefined, { auth: 'if-any' });
        context.out.result({ items }, () =>
          context.out.table(items, [
            { header: 'id', value: (app) => app.id },
            { header: 'url', value: (app) => app.url },
            { header: 'registered', value: (app) => app.createdAt },
          ]),
        );
      }),
    );
  apps
    .command('add')
    .argument('<url>', 'http(s) URL, no query or fragment')
    .description('register an app (super admin)')
    .action(
      cli.action(async (context: CliContext, url: string) => {
        const app = await context.api.json<AppView>('POST', '/api/v1/apps', { url });
        context.out.result(app, () => context.out.line(`registered ${app.url} (${app.id})`));
      }),
    );
  apps
    .command('remove')
    .argument('<id>', 'app id')
    .description('remove an app (super admin)')
    .action(
      cli.action(async (context: CliContext, id: string) => {
        await context.api.request('DELETE', `/api/v1/apps/${segment(id)}`);
        context.out.result({ removed: id }, () => context.out.line(`removed app ${id}`));
      }),
    );
}
