import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-aria-components';
import { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** What a refusal means for the person reading it: which permission, terms or scope is missing. */
export function explain(error: unknown): { title: string; detail: string; acceptTos?: { id: string; title: string } } {
  if (!(error instanceof ApiError)) return { title: 'The server could not be reached', detail: String((error as Error)?.message ?? error) };
  const { body } = error;
  const fields = body.details?.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; ');
  switch (body.error) {
    case 'missing_permission':
      return { title: 'You lack a permission this needs', detail: body.message };
    case 'missing_tos':
      return {
        title: 'Terms of service to accept first',
        detail: `${body.message}${body.tos ? ` (“${body.tos.title}”)` : ''}`,
        acceptTos: body.tos,
      };
    case 'insufficient_scope':
      return { title: 'Your token lacks a scope this needs', detail: body.message };
    case 'not_admin':
      return { title: 'Only an administrator may do this', detail: body.message };
    case 'no_token':
    case 'invalid_token':
    case 'expired_token':
    case 'revoked_token':
      return { title: 'You are signed out', detail: body.message };
    case 'not_found':
      return { title: 'Not found', detail: body.message };
    case 'conflict':
      return { title: 'That conflicts with what exists', detail: body.message };
    case 'bad_request':
      return { title: 'Please check the form', detail: fields || body.message };
    case 'rate_limited':
      return { title: 'Too many requests', detail: `${body.message}. Try again in a moment.` };
    default:
      return { title: `The server refused (${body.error})`, detail: body.message };
  }
}

export function ErrorNotice({ error, action }: { error: unknown; action?: string }) {
  const { title, detail, acceptTos } = explain(error);
  return (
    <div className="notice notice-error" role="alert">
      <strong>{action ? `${action}: ${title}` : title}</strong>
      <p>{detail}</p>
      {acceptTos && <Link href="/datasets">Read and accept the terms</Link>}
    </div>
  );
}

/** Loading, error and empty states of one query, then its data. */
export function QueryView<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorNotice error={query.error} action={`Loading ${what}`} />;
  if (isEmpty?.(query.data)) return <Empty>{empty ?? `No ${what} yet.`}</Empty>;
  return <>{children(query.data)}</>;
}
