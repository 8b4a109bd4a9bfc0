import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers on every answer (API, errors, HTML pages): a CSP that allows only same-origin
 * scripts and no framing, `nosniff`, and HSTS when Tessera is served over https. The console and
 * the popup page keep to it: no inline script, nothing from another origin.
 */
export function securityHeaders(publicUrl: string): HelmetOptions {
  const https = publicUrl.startsWith('https:');
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Over plain http (a developer machine) upgrading every request would break the pages.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    // A same-origin POST from a page must carry its Origin (cookie-authenticated writes need it);
    // `no-referrer` would make the browser send `Origin: null`.
    referrerPolicy: { policy: 'same-origin' },
  };
}

/** A route's own changes to the headers (`@RouteConfig({ helmet: … })`), e.g. no COOP on a popup's pages. */
declare module 'fastify' {
  interface FastifyContextConfig {
    helmet?: HelmetOptions;
  }
}

/** The headers helmet sets for `options`, read once off a response that only records them. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name] = String(value)),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * Security headers on every answer, 404s included, worked out once per route configuration: helmet
 * (and @fastify/helmet with it) builds its middleware again for every request, a few percent of a
 * gateway answer. The headers are static (no CSP nonces), so the answers are the same.
 */
export function installSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const global = helmetHeaders(options);
  const routeOwn = new WeakMap<HelmetOptions, Record<string, string>>();
  const headersOf = (own: HelmetOptions | undefined) => {
    if (own === undefined) return global;
    let headers = routeOwn.get(own);
    if (!headers) routeOwn.set(own, (headers = helmetHeaders(Object.assign({}, options, own) as HelmetOptions)));
    return headers;
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headersOf(request.routeOptions.config?.helmet));
    done();
  });
}
