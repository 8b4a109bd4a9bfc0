import type { FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'tessera_token';

/**
 * Binds a pending login to the browser that began it (the state alone could be replayed from another
 * browser). On https it takes the `__Host-` prefix, so no sibling subdomain can plant or overwrite
 * it; the browser then insists on `Path=/` and `Secure`.
 */
export function loginCookie(publicUrl: string): { name: string; path: string } {
  return publicUrl.startsWith('https:') ? { name: '__Host-tessera_login', path: '/' } : { name: 'tessera_login', path: '/auth' };
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** HttpOnly and SameSite=Lax always; Secure when Tessera is served over https. */
export function setCookie(
  reply: FastifyReply,
  publicUrl: string,
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number },
): void {
  const attributes = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (publicUrl.startsWith('https:')) attributes.push('Secure');
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  reply.header('set-cookie', [...list, attributes.join('; ')]);
}

export function clearCookie(reply: FastifyReply, publicUrl: string, name: string, path: string): void {
  setCookie(reply, publicUrl, name, '', { path, maxAgeSeconds: 0 });
}
