import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Responses that carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const decoders: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/**
 * A Response whose body is already in memory: `text()`, `json()`, `arrayBuffer()` and `bytes()`
 * read the bytes directly instead of through a web stream (which the Response constructor would
 * build around them and `text()` would read back chunk by chunk). `body` still gives a stream,
 * made on first access. The body can be read once, as any Response's.
 */
/** Response as a base class (the DOM typings declare its methods as properties, which a subclass cannot override). */
const ResponseBase = Response as unknown as new (
  body: null,
  init: ResponseInit,
) => {
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
};

class BufferedResponse extends ResponseBase {
  #bytes: Buffer | null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null = null;

  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#bytes === null) return null;
    if (this.#stream === null) {
      const bytes = this.#take();
      this.#stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.length > 0) controller.enqueue(new Uint8Array(bytes));
          controller.close();
        },
      });
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }

  text(): Promise<string> {
    try {
      return Promise.resolve(this.#take().toString('utf8'));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    try {
      const b = this.#take();
      return Promise.resolve(new Uint8Array(b).buffer as ArrayBuffer);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  bytes(): Promise<Uint8Array> {
    return this.arrayBuffer().then((b) => new Uint8Array(b));
  }

  blob(): Promise<Blob> {
    return this.arrayBuffer().then((b) => new Blob([b], { type: this.headers.get('content-type') ?? '' }));
  }

  formData(): Promise<FormData> {
    try {
      return new Response(this.#take(), { headers: this.headers }).formData();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return bufferedResponse(this.#bytes === null ? null : Buffer.from(this.#bytes), {
      status: this.status,
      statusText: this.statusText,
      headers: new Headers(this.headers),
    });
  }
}

function bufferedResponse(bytes: Buffer | null, init: ResponseInit): Response {
  return new BufferedResponse(bytes, init) as unknown as Response;
}

export interface KeepAliveFetchOptions {
  /** Idle connections are closed after this (default 4 s, or earlier when the server's `Keep-Alive` hint says so). */
  idleTimeoutMs?: number;
  /** Connections per origin at most (default unlimited, as the global fetch). */
  maxSockets?: number;
}

function headerRecord(h: RequestInit['headers']): Record<string, string> | undefined {
  if (h === undefined) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = typeof v === 'string' ? v : v.join(', ');
  return out;
}

/**
 * A `fetch` for the partner client over node:http(s) with keep-alive agents: connections to a
 * partner are reused, and a call costs well under the global fetch's CPU (no web streams or
 * request/response cloning in between; measured in bench/worker.bench.ts). It serves what the
 * partner client sends (a URL string, a method, a header record, a string or byte body, an abort
 * signal, `redirect: 'manual'`) and answers with a real Response (its body held in memory); anything else goes to the
 * global fetch. As the global fetch: `accept-encoding` gzip/deflate/br bodies are decoded, a string
 * body without a content type is `text/plain;charset=UTF-8`, and network errors and aborts reject
 * (`AbortError` / the signal's reason, e.g. `TimeoutError`).
 */
export function createKeepAliveFetch(options: KeepAliveFetchOptions = {}): typeof fetch {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    timeout: options.idleTimeoutMs ?? 4_000,
    ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const keepAliveFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = headerRecord(init.headers);
    const body = init.body;
    const url = typeof input === 'string' || input instanceof URL ? new URL(input) : undefined;
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      init.redirect !== 'manual' ||
      headers === undefined ||
      !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)
    )
      return fetch(input, init);
    const method = (init.method ?? 'GET').toUpperCase();
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const payload = body === undefined || body === null ? undefined : body;
    if (payload !== undefined) {
      if (typeof payload === 'string') headers['content-type'] ??= 'text/plain;charset=UTF-8';
      headers['content-length'] = String(
        typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength,
      );
    }
    headers['accept-encoding'] ??= 'gzip, deflate, br';

    return new Promise<Response>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        reject(signal?.aborted ? signal.reason : e);
      };
      const req = transport.request(
        url,
        { method, headers, agent: agents[url.protocol as 'http:' | 'https:'], ...(signal ? { signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('aborted', () => fail(new Error('the response was cut off')));
          res.on('end', () => {
            if (settled) return;
            const status = res.statusCode ?? 0;
            const responseHeaders = new Headers();
            const raw = res.rawHeaders;
            for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
            const encoding = String(res.headers['content-encoding'] ?? '')
              .trim()
              .toLowerCase();
            const decode = decoders[encoding];
            const bytes = Buffer.concat(chunks);
            const finish = (b: Buffer) => {
              if (settled) return;
              let response: Response;
              try {
                response = bufferedResponse(NULL_BODY.has(status) || method === 'HEAD' ? null : b, {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: responseHeaders,
                });
              } catch (e) {
                // A status the Response cannot carry (outside 200-599).
                return fail(e);
              }
              settled = true;
              resolve(response);
            };
            if (decode && bytes.length > 0) decode(bytes).then(finish, fail);
            else finish(bytes);
          });
        },
      );
      req.on('error', fail);
      req.end(payload);
    });
  };
  return keepAliveFetch as typeof fetch;
}
