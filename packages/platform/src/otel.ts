import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry bootstrap, called first in every service's `main.ts`:
 *
 *   import { startTelemetry } from '@healthsync/platform/otel';
 *   const telemetry = startTelemetry('scheduler');
 *   // ... on SIGTERM: await telemetry.shutdown();
 *
 * Traces go to OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set;
 * otherwise spans are still created (so trace ids propagate across services through the message
 * headers) but nothing is exported. Metrics and logs are not configured here (prom-client serves
 * metrics). The W3C trace-context propagator and the AsyncLocalStorage context manager are
 * registered, which the bus uses to continue a trace from producer to consumer.
 */
export interface TelemetryOptions {
  /** Keep finished spans in memory (tests read them from `telemetry.memory`). */
  readonly inMemory?: boolean;
  /** Override the environment: export to this OTLP/HTTP base URL (e.g. http://127.0.0.1:4318). */
  readonly otlpEndpoint?: string;
}

export interface Telemetry {
  readonly serviceName: string;
  /** Set when started with `inMemory: true`. */
  readonly memory: InMemorySpanExporter | undefined;
  /** True when spans are exported over OTLP. */
  readonly exporting: boolean;
  /** Flush and stop; a later `startTelemetry` starts afresh. */
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/** Start the SDK once per process; later calls return the running instance. */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): Telemetry {
  if (current) return current;
  const endpoint =
    options.otlpEndpoint ??
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??
    undefined;
  const processors: SpanProcessor[] = [];
  if (endpoint) {
    const url = options.otlpEndpoint ? `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` : undefined;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter(url ? { url } : {})));
  }
  const memory = options.inMemory ? new InMemorySpanExporter() : undefined;
  if (memory) processors.push(new SimpleSpanProcessor(memory));
  // A tracer provider even without an exporter: spans get real ids, so trace context flows.
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: processors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const telemetry: Telemetry = {
    serviceName,
    memory,
    exporting: Boolean(endpoint),
    async shutdown() {
      if (current === telemetry) current = undefined;
      await sdk.shutdown();
    },
  };
  current = telemetry;
  return telemetry;
}
