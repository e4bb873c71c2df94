import { INestApplication, Logger, Type } from '@nestjs/common';
import type { Server } from 'node:http';
import { envInt, isProduction } from './config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CaselineLogger, requestLogContext } from './logging';
import { Metrics } from './metrics';
import { ProblemDetailsFilter } from './problem';
import { trackingToken } from './tracking';
import { RoutedRequest, routeTemplate, startTracing, traceRequests } from './tracing';
import { problemValidationPipe } from './validation';

export interface HttpServiceOptions {
  name: string;
  port: number;
  host?: string;
}

const isJson = (contentType: string | undefined): boolean => !!contentType && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType) && !/^application\/geo\+json/i.test(contentType);

/** The headers every answer carries; HSTS only in production, where TLS is in front. */
export const securityHeaders = (): Record<string, string> => ({
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-site',
  ...(isProduction() ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
});

/** CORS_ORIGINS: the portals' origins (comma-separated, e.g. https://portal.example.gov); anything else refuses to start. */
export function corsOrigins(): string[] {
  const origins = (process.env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const bad = origins.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (bad.length > 0) throw new Error(`CORS_ORIGINS must list origins like https://portal.example.gov (scheme and host, no path): ${bad.join(', ')}`);
  return origins;
}

/** Every request's method, route pattern (never the URL: it may name a case or a token) and status, timed. */
function recordRequests(app: INestApplication): void {
  let metrics: Metrics;
  try {
    metrics = app.get(Metrics, { strict: false });
  } catch {
    return; // a stand-in for the outside world (simulator, mail catcher) keeps no metrics
  }
  app.use((request: RoutedRequest, response: { statusCode: number; on(event: 'finish', listener: () => void): void }, next: () => void) => {
    const done = metrics.httpRequests.startTimer();
    response.on('finish', () => done({ method: request.method, route: routeTemplate(request) ?? 'unmatched', status: String(response.statusCode) }));
    next();
  });
}

/** Creates a service's Nest app with our edge conventions (64 KiB bodies, problem+json, validation). */
export async function createHttpService(module: Type<unknown>, options: Pick<HttpServiceOptions, 'name'>): Promise<INestApplication> {
  startTracing(options.name);
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: false,
    logger: process.env.LOG_LEVEL === 'silent' ? false : new CaselineLogger(options.name),
  });
  app.use(traceRequests());
  app.use(requestLogContext());
  // Bodies are also kept raw: signed requests (department systems) are checked against the bytes as sent.
  app.useBodyParser('json', { limit: '64kb', type: (request) => isJson(request.headers['content-type']), verify: (request: { rawBody?: Buffer }, _response: unknown, raw: Buffer) => void (request.rawBody = raw) });
  // Area files (GeoJSON) are large and parsed by the geography library itself, which names lines in its errors.
  app.useBodyParser('text', { limit: process.env.GEOJSON_UPLOAD_LIMIT ?? '16mb', type: 'application/geo+json' });
  // Form bodies are also kept raw: Open311's attribute[CODE][] must be read as sent.
  app.useBodyParser('urlencoded', { limit: '64kb', extended: true, verify: (request: { rawBody?: Buffer }, _response: unknown, raw: Buffer) => void (request.rawBody = raw) });
  // Secrets every service may need are read now, so a production deployment without one fails to
  // start instead of failing a request after its case was already written.
  trackingToken('startup-check');
  recordRequests(app);
  // Every answer: not sniffed, not framed, no referrer; an API answer loads nothing (our HTML pages set their own policy).
  app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    for (const [name, value] of Object.entries(securityHeaders())) response.setHeader(name, value);
    next();
  });
  // Browsers may call us only from the portals' origins configured; none configured, none may.
  const origins = corsOrigins();
  if (origins.length > 0) {
    app.enableCors({ origin: origins, methods: ['GET', 'POST', 'PUT'], allowedHeaders: ['content-type', 'idempotency-key', 'x-api-key', 'authorization'], exposedHeaders: ['location', 'retry-after', 'x-request-id'], maxAge: 600 });
  }
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(problemValidationPipe());
  app.enableShutdownHooks();
  app.set('x-powered-by', false);
  // Behind a load balancer, TRUST_PROXY (e.g. "1" hop, or "loopback") makes request.ip the client's.
  const trustProxy = process.env.TRUST_PROXY;
  if (trustProxy) app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' ? true : trustProxy === 'false' ? false : trustProxy);
  Logger.log(`${options.name} created`, 'Bootstrap');
  return app;
}

/** Starts a service and listens; SIGTERM/SIGINT close it gracefully (Nest shutdown hooks). */
export async function startHttpService(module: Type<unknown>, options: HttpServiceOptions): Promise<INestApplication> {
  const app = await createHttpService(module, options);
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  await app.listen(options.port, host);
  // A slow client holds a connection for at most this long (headers first, then the whole request).
  const server = app.getHttpServer() as Server;
  server.headersTimeout = envInt('HTTP_HEADERS_TIMEOUT_MS', 10_000);
  server.requestTimeout = envInt('HTTP_REQUEST_TIMEOUT_MS', 30_000);
  Logger.log(`${options.name} listening on http://${host}:${options.port}`, 'Bootstrap');
  return app;
}
