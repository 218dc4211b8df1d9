import type { FastifyReply, FastifyRequest } from 'fastify';

/** Reads one cookie from the Cookie header (RFC 6265 §5.4); the first occurrence wins. */
export const readCookie = (request: FastifyRequest, name: string): string | undefined => {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

export interface CookieOptions {
  /** Seconds; omitted for a browser-session cookie. */
  maxAge?: number | undefined;
  httpOnly?: boolean;
  secure: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
  path?: string;
}

/**
 * Appends a Set-Cookie header (Fastify appends set-cookie values rather than replacing them);
 * values here are always URL-safe, so no encoding is needed.
 */
export const setCookie = (reply: FastifyReply, name: string, value: string, opts: CookieOptions): void => {
  const parts = [`${name}=${value}`, `Path=${opts.path ?? '/'}`, `SameSite=${opts.sameSite ?? 'Lax'}`];
  if (opts.httpOnly !== false) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  reply.header('set-cookie', parts.join('; '));
};

export const clearCookie = (reply: FastifyReply, name: string, opts: Omit<CookieOptions, 'maxAge'>): void =>
  setCookie(reply, name, '', { ...opts, maxAge: 0 });
