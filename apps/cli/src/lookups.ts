import { CliError, EXIT } from './cli-error';
import type { CliContext } from './cli-context';

/** The contracts' UUID_PATTERN, copied: the command line starts without the libraries' path aliases. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A group or dataset named by id or by its exact name (names are unique), as its id. */
export async function idOf(context: CliContext, collection: 'groups' | 'datasets', nameOrId: string): Promise<string> {
  if (UUID.test(nameOrId)) return nameOrId;
  const items = await context.api.all<{ id: string; name: string }>(`/api/v1/${collection}?limit=500`);
  const found = items.find((item) => item.name === nameOrId);
  if (!found) throw new CliError(`no ${collection.slice(0, -1)} named ${nameOrId}`, EXIT.notFound);
  return found.id;
}

export const segment = (value: string): string => encodeURIComponent(value);
