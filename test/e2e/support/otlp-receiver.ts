import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

/**
 * A minimal OTLP/HTTP trace receiver on 127.0.0.1 (what a collector does at `/v1/traces`), for
 * tests: it accepts the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`, the default of
 * `@opentelemetry/exporter-trace-otlp-http`) and keeps every span with its service name.
 */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

const AnyValue = z.looseObject({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
});
const KeyValue = z.object({ key: z.string(), value: AnyValue.optional() });
const Span = z.looseObject({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().int().optional(),
  attributes: z.array(KeyValue).optional(),
});
const ExportTraceServiceRequest = z.object({
  resourceSpans: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes: z.array(KeyValue).optional() }).optional(),
        scopeSpans: z.array(z.looseObject({ spans: z.array(Span).optional() })).optional(),
      }),
    )
    .optional(),
});

function plain(value: z.infer<typeof AnyValue> | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

function attributes(
  list: readonly z.infer<typeof KeyValue>[] | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) {
    const v = plain(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

export interface OtlpReceiver {
  /** The base URL to give as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  readonly spans: readonly ReceivedSpan[];
  /** Requests refused (not JSON, or not an OTLP trace export). */
  readonly rejected: readonly string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const refuse = (status: number, why: string) => {
        rejected.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''}: ${why}`);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: why }));
      };
      if (req.method !== 'POST' || req.url !== '/v1/traces') return refuse(404, 'only POST /v1/traces');
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
        return refuse(415, 'this receiver takes OTLP/HTTP JSON only');
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      let parsed: z.infer<typeof ExportTraceServiceRequest>;
      try {
        parsed = ExportTraceServiceRequest.parse(JSON.parse(body.toString('utf8')));
      } catch (e) {
        return refuse(400, e instanceof Error ? e.message : String(e));
      }
      for (const rs of parsed.resourceSpans ?? []) {
        const service = String(attributes(rs.resource?.attributes)['service.name'] ?? 'unknown');
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ? s.parentSpanId : undefined,
              name: s.name,
              kind: s.kind ?? 0,
              attributes: attributes(s.attributes),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
