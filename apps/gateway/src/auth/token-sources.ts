import type { FastifyRequest } from 'fastify';
import { TesseraError } from '@tessera/contracts';

const SCHEME = /^(Bearer|Token)\s+(\S+)\s*$/i;

export interface CallerToken {
  token: string;
  /** Sent by the browser on its own (a cookie): a write authenticated so must prove where it comes from. */
  ambient: boolean;
}

export interface TokenSourceOptions {
  extraHeaders: string[];
  /** TESSERA_MIDDLE_AUTH: the `middle_auth_token` cookie and query parameter. */
  middleAuth: boolean;
}

/**
 * The caller's token, from the sources of CONTRACT section 2 in their order: `Authorization`
 * (Bearer, then Token), each extra header, the `tessera_token` cookie, the `middle_auth_token`
 * cookie, the `middle_auth_token` query parameter. A header that is present but malformed is
 * 400 `bad_auth_header`, never silently skipped.
 */
export function extractToken(request: FastifyRequest, options: TokenSourceOptions): CallerToken | undefined {
  for (const name of ['authorization', ...options.extraHeaders.map((header) => header.toLowerCase())]) {
    const value = request.headers[name];
    if (value === undefined) continue;
    const match = typeof value === 'string' ? SCHEME.exec(value) : null;
    if (!match) throw new TesseraError('bad_auth_header', `the ${name} header must be "Bearer <token>" or "Token <token>"`);
    return { token: match[2], ambient: false };
  }
  const cookies = parseCookies(request.headers.cookie);
  if (cookies.tessera_token) return { token: cookies.tessera_token, ambient: true };
  if (!options.middleAuth) return undefined;
  if (cookies.middle_auth_token) return { token: cookies.middle_auth_token, ambient: true };
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.middle_auth_token;
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? { token: fromQuery, ambient: false } : undefined;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in cookies)) cookies[name] = safeDecode(part.slice(eq + 1).trim());
  }
  return cookies;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
