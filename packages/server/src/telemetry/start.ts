import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracesConfig } from '../config/schema.js';

/** Stops tracing: what is still buffered is exported first. */
export type StopTracing = () => Promise<void>;

/**
 * Starts the OpenTelemetry SDK for traces (issue 17 §2) when the configuration has `traces`:
 * spans go in batches to the collector's OTLP/HTTP endpoint, or to `exporter` (tests export to
 * memory, span by span). Metrics stay with /metrics (Prometheus) and logs with pino, so the SDK's
 * own metric and log exporters are turned off rather than left to push to a default endpoint.
 * The SDK is loaded only here, so a provider that does not trace never loads it.
 */
export const startTracing = async (config: TracesConfig | undefined, opts: { exporter?: SpanExporter; version?: string } = {}): Promise<StopTracing | undefined> => {
  if (!config && !opts.exporter) return undefined;
  const [{ NodeSDK }, sdkTrace, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const processor = opts.exporter
    ? new sdkTrace.SimpleSpanProcessor({ exporter: opts.exporter })
    : new sdkTrace.BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config?.endpoint, headers: { ...config?.headers } }) });
  const percent = config?.samplePercent ?? 100;
  const sdk = new NodeSDK({
    serviceName: config?.serviceName ?? 'signoff',
    spanProcessors: [processor],
    // A caller that traces decides for its own trace (W3C Trace Context's sampled flag); the
    // traces this provider starts are kept at samplePercent.
    sampler: new sdkTrace.ParentBasedSampler({ root: new sdkTrace.TraceIdRatioBasedSampler(percent / 100) }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return () => sdk.shutdown();
};
