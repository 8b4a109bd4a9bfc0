import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Helmet's headers on every answer (API, errors, HTML pages): a CSP that allows only same-origin
 * scripts and no framing, `nosniff`, and HSTS when Tessera is served over https. The console and
 * the popup page keep to it: no inline script, nothing from another origin.
 */
export function securityHeaders(publicUrl: string): FastifyHelmetOptions {
  const https = publicUrl.startsWith('https:');
  return {
    global: true,
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
