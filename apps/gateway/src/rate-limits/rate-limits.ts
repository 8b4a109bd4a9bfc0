import { RouteConfig } from '@nestjs/platform-fastify';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { postgresRateLimitStore, purgeRateLimitHits } from './postgres-rate-limit.store';

/** One minute windows; each bucket counts per client address and across every client. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
const PURGE_EVERY_MS = 60_000;

/**
 * Routes that answer anyone and cost something (a guess at the admin key, a row of login state,
 * a call to the identity provider). The global count bounds what rotating real addresses buys.
 */
export const RATE_LIMIT_BUCKETS = {
  /** CONTRACT section 3: at most 10 admin-key tries a minute per client address. */
  'admin-key': { perClient: 10, allClients: 30 },
  login: { perClient: 60, allClients: 1_200 },
  exchange: { perClient: 30, allClients: 600 },
  /** Device logins: a code is a row in the identity app; a user code looked up is a guess (20^8 codes, 15 minutes). */
  'device-code': { perClient: 30, allClients: 600 },
  'device-token': { perClient: 120, allClients: 2_400 },
  'device-verify': { perClient: 30, allClients: 600 },
} as const;
export type RateLimitBucket = keyof typeof RATE_LIMIT_BUCKETS;

/** Route config of a rate-limited route (see RateLimited). */
export interface RateLimitRouteConfig {
  limit?: RateLimitBucket;
}

/** Marks a route as rate-limited per client address and across all clients; 429 `rate_limited` with Retry-After. */
export const RateLimited = (bucket: RateLimitBucket, config: Record<string, unknown> = {}): MethodDecorator =>
  RouteConfig({ ...config, limit: bucket });

type Limiter = (request: FastifyRequest) => Promise<{ isExceeded?: boolean; ttlInSeconds?: number }>;

/**
 * `@fastify/rate-limit` with its counts in PostgreSQL (shared by every gateway replica), keyed on
 * `request.ip`: the peer address, or X-Forwarded-For only when the peer is one of
 * TESSERA_TRUSTED_PROXIES (Fastify's `trustProxy`). Hooks go only on routes marked RateLimited.
 */
export function installRateLimits(fastify: FastifyInstance, pool: Pool): void {
  void fastify.register(fastifyRateLimit, { global: false, store: postgresRateLimitStore(pool) });
  const limiters = new Map<string, Limiter>();
  const limiter = (key: string, max: number): Limiter => {
    let made = limiters.get(key);
    if (!made) {
      made = fastify.createRateLimit({
        max,
        timeWindow: RATE_LIMIT_WINDOW_MS,
        keyGenerator: (request) => key.replace('{client}', normalizeIP(request.ip)),
      }) as Limiter;
      limiters.set(key, made);
    }
    return made;
  };
  fastify.addHook('onRoute', (route) => {
    const bucket = (route.config as RateLimitRouteConfig | undefined)?.limit;
    if (!bucket) return;
    const { perClient, allClients } = RATE_LIMIT_BUCKETS[bucket];
    const check = async (request: FastifyRequest): Promise<void> => {
      const [client, all] = await Promise.all([
        limiter(`${bucket}:{client}`, perClient)(request),
        limiter(`${bucket}:*`, allClients)(request),
      ]).catch(() => {
        throw new TesseraError('unavailable', 'the rate limiter cannot reach PostgreSQL', undefined, undefined, 1);
      });
      if (client.isExceeded) throw limited(`at most ${perClient} ${bucket} requests a minute per client`, client.ttlInSeconds);
      if (all.isExceeded) throw limited(`at most ${allClients} ${bucket} requests a minute from every client together`, all.ttlInSeconds);
    };
    route.onRequest = [...asArray(route.onRequest), check];
  });
  const purge = () => void purgeRateLimitHits(pool).catch(() => undefined);
  fastify.addHook('onReady', async () => {
    purge();
    setInterval(purge, PURGE_EVERY_MS).unref();
  });
}

function limited(message: string, retryAfter = 1): TesseraError {
  return new TesseraError('rate_limited', message, undefined, undefined, Math.max(1, retryAfter));
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
