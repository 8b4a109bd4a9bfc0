import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers on every answer but JSON (HTML pages, scripts, redirects): a CSP that allows only
 * same-origin scripts and no framing, `nosniff`, and HSTS when Tessera is served over https. The
 * console and the popup page keep to it: no inline script, nothing from another origin.
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
function helmetHeaders(options: HelmetOptions): Record<string, string> {
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
 * What a JSON answer needs of them (OWASP's REST Security Cheat Sheet), the API's answers and errors
 * alike: never rendered with a script or framed, never sniffed, never read by another origin's
 * page; HSTS as on every answer. With `Cache-Control: no-store` (they are about the caller), five
 * headers (six over https) instead of helmet's dozen for documents, on the gateway's hottest answers.
 */
function jsonHeaders(documentHeaders: Record<string, string>): Record<string, string> {
  const hsts = documentHeaders['Strict-Transport-Security'];
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(hsts === undefined ? {} : { 'strict-transport-security': hsts }),
  };
}

/**
 * Security headers on every answer, 404s included, worked out once per route configuration: helmet
 * (and @fastify/helmet with it) builds its middleware again for every request, a few percent of a
 * gateway answer. The headers are static (no CSP nonces), so the answers are the same. A JSON
 * answer gets jsonHeaders and `Cache-Control: no-store`; any other (HTML pages, scripts, redirects)
 * helmet's, with the route's own changes. A header the route set itself (the console's CSP, a
 * cache policy) is kept.
 */
export function installSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const global = helmetHeaders(options);
  const json = Object.entries({ ...jsonHeaders(global), 'cache-control': 'no-store' });
  const documents = Object.entries(global);
  const routeOwn = new WeakMap<HelmetOptions, [string, string][]>();
  const documentHeadersOf = (own: HelmetOptions | undefined) => {
    if (own === undefined) return documents;
    let headers = routeOwn.get(own);
    if (!headers) routeOwn.set(own, (headers = Object.entries(helmetHeaders(Object.assign({}, options, own) as HelmetOptions))));
    return headers;
  };
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    const headers =
      typeof type === 'string' && type.startsWith('application/json') ? json : documentHeadersOf(request.routeOptions.config?.helmet);
    for (const [name, value] of headers) if (!reply.hasHeader(name)) reply.header(name, value);
    done(null, payload);
  });
}
