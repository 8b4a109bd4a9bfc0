import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TesseraError } from '@tessera/contracts';

/** The deepest nesting of arrays and objects a request body may have; no endpoint needs more than a few levels. */
export const MAX_JSON_DEPTH = 32;

/** In unicode mode a paired surrogate is one code point, so only a lone one is in category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

export interface BadJson {
  field: string;
  problem: string;
}

/**
 * The first thing in a parsed body that no handler may see: nesting deeper than MAX_JSON_DEPTH
 * (class-transformer recurses), or text PostgreSQL and the validators cannot hold (a NUL, a lone
 * surrogate), in a value or a key. Iterative, so a hostile body cannot exhaust the stack here either.
 */
export function findBadJson(root: unknown, options: { text: boolean } = { text: true }): BadJson | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = options.text ? badText(value) : undefined;
      if (problem) return { field: path || 'body', problem };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: path || 'body', problem: `must not nest deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const keyProblem = options.text ? badText(key) : undefined;
      if (keyProblem) return { field: childPath, problem: `name ${keyProblem}` };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Why a text cannot be stored or compared (a NUL byte, a lone UTF-16 surrogate), or undefined. */
export function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (no lone surrogate)';
  return undefined;
}

export function badInput(bad: BadJson): TesseraError {
  return new TesseraError('bad_request', `${bad.field}: ${bad.problem}`, [{ field: bad.field, problems: [bad.problem] }]);
}

/** A request whose JSON body was parsed here: its text, as sent. */
export type JsonTextRequest = FastifyRequest & { jsonText?: string };

/**
 * The `application/json` parser: Fastify's own (prototype-poisoning checks included), then a bound
 * on the nesting, before any guard, pipe or handler recurses into it. Text is checked later, by
 * the validation pipe, so an unauthenticated caller gets its 401 first.
 */
export function jsonBodyParser(fastify: FastifyInstance) {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void): void => {
    const text = body.toString('utf8');
    // Kept for the few routes that need the numbers exactly as written (root ids outgrow doubles).
    (request as JsonTextRequest).jsonText = text;
    parse(request, text, (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      const bad = findBadJson(value, { text: false });
      done(bad ? badInput(bad) : null, bad ? undefined : value);
    });
  };
}

/** `application/x-www-form-urlencoded` as a plain object of strings (a repeated field keeps its last value). */
export function formBodyParser(_request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void): void {
  done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
}
