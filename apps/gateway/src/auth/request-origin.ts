import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyRequest } from 'fastify';
import { LOGIN_SUBJECTS, TesseraError } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a browser says a request comes from: `Origin`, or lacking it the origin of `Referer`. */
function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || referer === '') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/**
 * CONTRACT section 2: a state-changing request authenticated by a cookie must come from Tessera's
 * own origin or a registered app's (a form or script on any other site rides on the cookie too).
 */
export async function requireTrustedOrigin(request: FastifyRequest, publicOrigin: string, nats: NatsConnection): Promise<void> {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = originOf(request);
  if (origin === publicOrigin) return;
  if (origin && origin !== 'null') {
    const { trusted } = await requestJson<{ trusted: boolean }>(nats, LOGIN_SUBJECTS.checkOrigin, { origin });
    if (trusted) return;
  }
  throw new TesseraError('bad_origin', 'a write authenticated by a cookie must come from Tessera or a registered app (Origin or Referer)', [
    { field: 'origin', problems: [origin ? `${origin} is neither Tessera nor a registered app` : 'missing'] },
  ]);
}
