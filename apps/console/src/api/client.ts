import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';

/** The contract's error body (CONTRACT section 2), with the terms a `missing_tos` refusal names. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: { field: string; problems: string[] }[];
  tos?: { id: string; title: string; acceptUrl: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }

  get code(): string {
    return this.body.error;
  }
}

const ADMIN_TOKEN_KEY = 'tessera.adminToken';

/**
 * The console signs in with the `tessera_token` cookie of the login. An operator may instead hold
 * a short-lived admin token (minted with the admin key); it stays in this tab only.
 */
export const adminToken = {
  get: (): string | null => sessionStorage.getItem(ADMIN_TOKEN_KEY),
  set: (token: string | null) => (token ? sessionStorage.setItem(ADMIN_TOKEN_KEY, token) : sessionStorage.removeItem(ADMIN_TOKEN_KEY)),
};

const listeners = new Set<() => void>();
/** Called when any answer is a 401: the session ended, so the console shows its sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    const token = adminToken.get();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) for (const listener of listeners) listener();
    return response;
  },
};

/** Typed by the gateway's own OpenAPI document: a path or body that changes breaks this build. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer body of a call, typed as the contract describes it; an error answer throws ApiError. */
export async function answer<T>(call: Promise<FetchResult>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body =
      error && typeof error === 'object' && 'error' in error
        ? (error as ErrorBody)
        : { statusCode: response.status, error: 'unavailable', message: `the server answered ${response.status}` };
    throw new ApiError(response.status, body);
  }
  return data as T;
}
