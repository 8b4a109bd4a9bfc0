import { CliError, EXIT, type ExitCode } from './cli-error';

export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  details?: { field?: string; problems?: string[] }[];
}

/** Which exit code an HTTP status means for the person at the terminal. */
export function exitCodeOf(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 502 || status === 503 || status === 504) return EXIT.unavailable;
  return EXIT.failure;
}

/** The gateway's HTTP API: JSON in and out, errors turned into CliErrors with their exit code. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => string | undefined,
    /** `X-Tessera-Min-Revision` on every request: reads reflect at least this write. */
    private readonly minRevision?: string,
  ) {}

  /** A request; `auth: false` sends no token (the device flow's own routes). */
  async request(method: string, path: string, body?: unknown, options: { auth?: boolean | 'if-any' } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.minRevision) headers['x-tessera-min-revision'] = this.minRevision;
    if (options.auth === 'if-any' && !this.token()) {
      // a route that answers anyone: no token, no header
    } else if (options.auth !== false) {
      const token = this.token();
      if (!token) throw new CliError('not logged in: run `tessera login`, pass --token or set TESSERA_TOKEN', EXIT.notLoggedIn);
      headers.authorization = `Bearer ${token}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach ${this.baseUrl}: ${cause}`, EXIT.unavailable);
    }
    if (!response.ok) throw await ApiClient.failure(response);
    return response;
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options?: { auth?: boolean | 'if-any' },
  ): Promise<T> {
    const response = await this.request(method, path, body, options);
    if (response.status === 204) return {} as T;
    return (await response.json()) as T;
  }

  /** Every item of a paged list, following `nextCursor`. */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null | undefined;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await this.json<{ items: T[]; nextCursor?: string | null }>(
        'GET',
        cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  static async failure(response: Response): Promise<CliError> {
    const text = await response.text();
    let message = text;
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
      const fields = (body.details ?? [])
        .filter((detail) => detail.field)
        .map((detail) => `${detail.field}: ${(detail.problems ?? []).join(', ')}`);
      message = `${body.error}: ${body.message}${fields.length && !body.message?.includes(fields[0]) ? ` (${fields.join('; ')})` : ''}`;
    } catch {
      // not JSON: the raw text says what it says
    }
    return new CliError(`HTTP ${response.status} ${message}`, exitCodeOf(response.status), {
      status: response.status,
      error: body.error,
      message: body.message,
    });
  }
}

/** `?a=1&b=2` from the options that are set, or '' when none is. */
export function queryString(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== false) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
