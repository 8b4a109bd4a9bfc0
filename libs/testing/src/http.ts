/** A parsed JSON answer, loosely typed so tests can assert on any field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(response: Response): Promise<Json> {
  return response.json();
}

export interface ApiCall {
  token?: string;
  /** Sent as JSON; a string is sent as it is (with the JSON content type). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request as an API client makes it: a bearer token, a JSON body, redirects not followed. */
export function callApi(baseUrl: string, method: string, path: string, init: ApiCall = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
}
