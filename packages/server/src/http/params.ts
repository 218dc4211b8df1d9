import type { FastifyRequest } from 'fastify';
import type { Params } from '../oauth/params.js';
import { noParams, paramsFrom } from '../oauth/params.js';

/** Query strings and form bodies both arrive as Params (all values per name, duplicates kept). */
export const parseQueryString = (query: string): Params => paramsFrom(new URLSearchParams(query));

export const queryParams = (request: FastifyRequest): Params => (request.query ?? noParams()) as Params;

export const bodyParams = (request: FastifyRequest): Params =>
  request.body && typeof request.body === 'object' ? (request.body as Params) : noParams();

/** GET reads the query, POST the form body (OIDC Core §3.1.2.1 for the authorization endpoint). */
export const requestParams = (request: FastifyRequest): Params =>
  request.method === 'POST' ? bodyParams(request) : queryParams(request);
