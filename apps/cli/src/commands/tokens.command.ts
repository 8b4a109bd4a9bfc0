import { Command, InvalidArgumentError } from 'commander';
import type { CliContext, CliRuntime } from '../cli-context';

interface TokenItem {
  id: string;
  name: string;
  kind: string;
  hint: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export const positiveInt = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return parsed;
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];

export function register(program: Command, cli: CliRuntime): void {
  const tokens = program.command('tokens').description('your personal tokens: list, create, revoke');

  tokens.command('list').description('your tokens, masked (never a secret)').action(cli.action(list));

  tokens
    .command('create')
    .description('mint a personal token; the secret is printed once')
    .argument('<name>', 'what the token is for')
    .requiredOption('--scope <scope>', 'a scope (*, view, tokens, …); repeat or separate with commas', collect)
    .option('--days <n>', 'lifetime in days', positiveInt)
    .action(cli.action(create));

  tokens
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'the token id (tessera tokens list)')
    .action(cli.action(revoke));
}

async function list(context: CliContext): Promise<void> {
  const items = await context.api.all<TokenItem>('/api/v1/tokens');
  context.out.result({ items }, () =>
    context.out.table(items, [
      { header: 'id', value: (token) => token.id },
      { header: 'name', value: (token) => token.name },
      { header: 'kind', value: (token) => token.kind },
      { header: 'hint', value: (token) => token.hint },
      { header: 'scopes', value: (token) => token.scopes },
      { header: 'expires', value: (token) => token.expiresAt ?? 'never' },
      { header: 'last used', value: (token) => token.lastUsedAt ?? '-' },
    ]),
  );
}

async function create(context: CliContext, name: string, options: { scope: string[]; days?: number }): Promise<void> {
  const minted = await context.api.json<TokenItem & { token: string; revision: string }>('POST', '/api/v1/tokens', {
    name,
    scopes: options.scope,
    ...(options.days ? { expiresInDays: options.days } : {}),
  });
  context.out.result(minted, () => {
    context.out.line(minted.token);
    context.out.note(`token ${minted.id} (${minted.scopes.join(',')}), expires ${minted.expiresAt ?? 'never'}: shown once, keep it now`);
  });
}

async function revoke(context: CliContext, id: string): Promise<void> {
  await context.api.request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
  context.out.result({ revoked: id }, () => context.out.line(`revoked ${id}`));
}
