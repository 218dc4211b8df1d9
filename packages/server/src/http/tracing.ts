import { type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { tracer } from '../telemetry/trace.js';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span (issue 17 §2), when traces are on. */
    traceSpan?: Span;
  }
}

/**
 * One server span per request (issue 17 §2), named by method and route pattern (OpenTelemetry's
 * HTTP semantic conventions) and continuing a caller's W3C `traceparent`. Each route's handler
 * runs inside the span, so what the handler does — a sign-in, a token grant, a session ending and
 * the outbox rows it writes — are its children, and the request's log lines carry its trace and
 * span ids. Neither the query nor the path is recorded, only the route pattern: a query holds
 * codes, tokens and ID token hints, and a path can hold an interaction id.
 */
export const installTracing = (app: FastifyInstance): void => {
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function traced(request, reply) {
      const span = request.traceSpan;
      if (!span) return handler.call(this, request, reply);
      return context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply));
    };
  });
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, ...(route === undefined ? {} : { 'http.route': route }), 'client.address': request.ip },
      },
      propagation.extract(context.active(), request.headers),
    );
    request.traceSpan = span;
    const { traceId, spanId } = span.spanContext();
    request.log = request.log.child({ trace_id: traceId, span_id: spanId });
    reply.log = request.log;
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.traceSpan;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    // Semantic conventions: a server span is an error only for a 5xx; a 4xx is the client's.
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
};
