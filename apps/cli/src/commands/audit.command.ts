import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import type { AuditDatasetAccess, AuditEventsQuery, AuditUserAccess } from '@tessera/contracts';
import { queryString } from '../api-client';
import { CliError, EXIT } from '../cli-error';
import type { CliContext, CliRuntime } from '../cli-context';

/** One of the two answers of `GET /api/v1/audit/access`. */
type AccessAnswer = Partial<AuditDatasetAccess> & Partial<AuditUserAccess> & { at: string; revision: string };

export function register(program: Command, cli: CliRuntime): void {
  const audit = program.command('audit').description('the event log: history, who held what when, export (super admin)');

  audit
    .command('events')
    .description('events of the log in position order, one JSON object a line')
    .option('--type <type>', 'only events of this type')
    .option('--stream-id <id>', 'only events of this stream')
    .option('--actor <id>', 'only events written by this actor')
    .option('--user <id>', 'only events about this user')
    .option('--dataset <id>', 'only events about this dataset')
    .option('--from <iso>', 'recorded at or after')
    .option('--to <iso>', 'recorded before')
    .option('--limit <n>', 'events per page')
    .option('--all', 'follow every page')
    .action(cli.action(auditEvents));

  audit
    .command('access')
    .description('who held which permission on a dataset, or what a user held, at a moment')
    .addOption(new Option('--dataset <id-or-name>', 'the dataset').conflicts('user'))
    .addOption(new Option('--user <id>', 'the user'))
    .requiredOption('--at <iso>', 'the moment')
    .action(cli.action(auditAccess));

  audit
    .command('export')
    .description('the whole log (or a time range) as NDJSON, one event a line')
    .option('--from <iso>', 'recorded at or after')
    .option('--to <iso>', 'recorded before')
    .option('--after <position>', 'only events after this position')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(cli.action(auditExport));
}

/** The audit query's filters as the command line takes them: `limit` as typed, and `--all` pages. */
type EventsOptions = Pick<AuditEventsQuery, 'type' | 'streamId' | 'actor' | 'user' | 'dataset' | 'from' | 'to'> & {
  limit?: string;
  all?: boolean;
};

async function auditEvents(context: CliContext, options: EventsOptions): Promise<void> {
  const { all, ...filters } = options;
  let cursor: string | null | undefined;
  do {
    const page = await context.api.json<{ items: unknown[]; nextCursor?: string | null }>(
      'GET',
      `/api/v1/audit/events${queryString({ ...filters, cursor })}`,
    );
    for (const item of page.items) context.io.stdout.write(`${JSON.stringify(item)}\n`);
    cursor = all ? page.nextCursor : null;
    if (!all && page.nextCursor) context.out.note(`more after cursor ${page.nextCursor} (--all to follow)`);
  } while (cursor);
}

async function auditAccess(context: CliContext, options: { dataset?: string; user?: string; at: string }): Promise<void> {
  if (!options.dataset === !options.user) throw new CliError('audit access needs exactly one of --dataset and --user', EXIT.usage);
  const answer = await context.api.json<AccessAnswer>('GET', `/api/v1/audit/access${queryString(options)}`);
  context.out.result(answer, () => {
    if (answer.dataset) {
      context.out.line(`dataset ${answer.dataset.name} (${answer.dataset.id}) at ${answer.at}, revision ${answer.revision}`);
      if (!answer.users?.length) context.out.line('  nobody held a permission');
      context.out.table(answer.users ?? [], [
        { header: 'user', value: (user) => user.name ?? '?' },
        { header: 'id', value: (user) => user.id },
        { header: 'permissions', value: (user) => user.permissions },
        { header: 'via', value: (user) => user.via.join(', ') },
      ]);
      return;
    }
    const user = answer.user!;
    const flags = [user.readOnly && 'read-only', user.deactivated && 'deactivated'].filter(Boolean).join(', ');
    context.out.line(`user ${user.name ?? '?'} (${user.id})${flags ? ` [${flags}]` : ''} at ${answer.at}, revision ${answer.revision}`);
    if (!answer.datasets?.length) context.out.line('  held no permission');
    context.out.table(answer.datasets ?? [], [
      { header: 'dataset', value: (dataset) => dataset.name },
      { header: 'permissions', value: (dataset) => dataset.permissions },
      { header: 'via', value: (dataset) => dataset.via.join(', ') },
    ]);
  });
}

async function auditExport(context: CliContext, options: { from?: string; to?: string; after?: string; out?: string }): Promise<void> {
  // The log's positions are dense, so position / head is how far the export has come.
  const ready = (await fetch(`${context.baseUrl}/readyz`)
    .then((response) => response.json())
    .catch(() => ({}))) as { apps?: Record<string, { revision?: string }> };
  const head = Math.max(1, ...Object.values(ready.apps ?? {}).map((app) => Number(app.revision) || 0));
  const { out: file, ...range } = options;
  const response = await context.api.request('GET', `/api/v1/audit/export${queryString(range)}`);
  const out = file ? createWriteStream(file) : context.io.stdout;
  const bar = context.out.progress('export');
  let lines = 0;
  let partial = '';
  let position = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = Buffer.from(chunk).toString('utf8');
    // Writing waits for the file or pipe to drain, so a slow reader slows the download.
    if (!out.write(text)) await once(out, 'drain');
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines += parts.length;
    if (parts.length > 0) {
      position = Number((JSON.parse(parts[parts.length - 1]) as { position: string }).position);
      bar.update(position, Math.max(head, position), `${lines} events`);
    }
  }
  bar.update(Math.max(head, position), Math.max(head, position), `${lines} events`);
  bar.stop();
  if (file) {
    const stream = out as ReturnType<typeof createWriteStream>;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    context.out.result({ events: lines, file }, () => context.out.note(`exported ${lines} events to ${file}`));
  }
}
