import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { TosView } from '@tessera/contracts';
import { CliError, EXIT } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';
import { idOf, segment } from '../lookups';

export function register(program: Command, cli: CliRuntime): void {
  const tos = program.command('tos').description("datasets' terms of service");
  tos
    .command('show')
    .argument('<dataset>', 'name or id')
    .description('the current terms of a dataset')
    .action(
      cli.action(async (context: CliContext, dataset: string) => {
        const terms = await context.api.json<TosView>('GET', `/api/v1/datasets/${segment(await idOf(context, 'datasets', dataset))}/tos`);
        context.out.result(terms, () => {
          context.out.line(`${terms.title} (version ${terms.version}, ${terms.id}, published ${terms.publishedAt})`);
          context.out.line('');
          context.out.line(terms.text);
        });
      }),
    );
  tos
    .command('publish')
    .argument('<dataset>', 'name or id')
    .requiredOption('--title <title>', 'the title')
    .option('--text <text>', 'the text')
    .option('--file <path>', 'the text, from a file')
    .description('publish a new version: users must accept it again (dataset admin)')
    .action(
      cli.action(async (context: CliContext, dataset: string, options: { title: string; text?: string; file?: string }) => {
        if (!options.text === !options.file) throw new CliError('tos publish needs exactly one of --text and --file', EXIT.usage);
        const text = options.text ?? readFileSync(options.file!, 'utf8');
        const id = await idOf(context, 'datasets', dataset);
        const terms = await context.api.json<TosView>('POST', `/api/v1/datasets/${segment(id)}/tos`, { title: options.title, text });
        context.out.result(terms, () => context.out.line(`published version ${terms.version} of the terms of ${dataset} (${terms.id})`));
      }),
    );
  tos
    .command('accept')
    .argument('<tos-id>', 'the id of the version (tessera tos show)')
    .description('accept one version of a dataset’s terms')
    .action(
      cli.action(async (context: CliContext, tosId: string) => {
        const answer = await context.api.json('POST', `/api/v1/tos/${segment(tosId)}/accept`, {});
        context.out.result(answer, () => context.out.line(`accepted ${tosId}`));
      }),
    );
}
