/**
 * Every route and method a built Fastify app registered, read back from the app itself, so that
 * tests over "every endpoint" (issue 10 §1) cover a route added later without anyone listing it.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface Route {
  method: HTTPMethods;
  /** The route's path as registered, parameters included (`/interaction/:id/login`). */
  url: string;
}

const LINE = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/;

/**
 * Parses `app.printRoutes({ commonPrefix: false })`, whose lines are a tree of path segments
 * (four characters of indentation per level) each followed by its methods. Each route found is
 * checked against `app.hasRoute`, so a change in Fastify's output fails loudly rather than
 * silently testing fewer routes.
 */
export const routesOf = (app: FastifyInstance): Route[] => {
  const tree = app.printRoutes({ commonPrefix: false });
  const parents: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unexpected line in printRoutes(): ${JSON.stringify(line)}`);
    const depth = (m[1] ?? '').length / 4;
    const url = (parents[depth - 1] ?? '') + (m[2] as string);
    parents[depth] = url;
    parents.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!app.hasRoute({ method: method as HTTPMethods, url })) throw new Error(`printRoutes() lists ${method} ${url}, which hasRoute() denies`);
      routes.push({ method: method as HTTPMethods, url });
    }
  }
  if (routes.length === 0) throw new Error('no routes found in printRoutes()');
  return routes;
};

/** Methods whose requests carry a body (a form or JSON); GET and HEAD do not. */
export const hasBody = (method: string): boolean => method !== 'GET' && method !== 'HEAD';
