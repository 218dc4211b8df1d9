import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';

/**
 * Spans through the OpenTelemetry API only (issue 17 §2): without a configured SDK
 * (telemetry/start.ts) every call here is the API's no-op, so the domain core may use it and
 * a provider that does not trace pays next to nothing. Signoff's one tracer: the domain's spans
 * here, the HTTP server spans in http/tracing.ts.
 */
export const tracer = trace.getTracer('signoff');

export { SpanKind };
export type { Context, Span };

/**
 * Runs `fn` in a new span, the active one for everything `fn` awaits; an error thrown ends the
 * span with status ERROR and the exception recorded, and is thrown on. `parent` (a stored
 * trace context) replaces the active context: a delivery attempt long after its ending.
 */
export const inSpan = <T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  opts: { kind?: SpanKind; parent?: Context } = {},
): Promise<T> =>
  tracer.startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes }, opts.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });

/** Marks a span failed with a reason (an outcome that is not an exception: a refused delivery). */
export const failSpan = (span: Span, message: string): void => {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
};

/** W3C Trace Context §3.2: version 00, trace-id, parent-id, trace-flags, lower-case hex. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The active span as a W3C `traceparent`, for work that continues outside this request — a
 * logout's outbox rows, sent later by any instance — or undefined when nothing is traced.
 */
export const activeTraceParent = (): string | undefined => {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
};

/** The context a stored `traceparent` names (a remote parent), or the root when there is none or it does not parse. */
export const contextOfTraceParent = (traceParent: string | undefined): Context => {
  const m = traceParent === undefined ? null : TRACEPARENT.exec(traceParent);
  if (!m) return ROOT_CONTEXT;
  const sc = { traceId: m[1] as string, spanId: m[2] as string, traceFlags: Number.parseInt(m[3] as string, 16), isRemote: true };
  return isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
};

/** The active span's ids for a log line (log lines carry the trace id, issue 17 §2), or nothing. */
export const logCorrelation = (): { trace_id?: string; span_id?: string } => {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
};
