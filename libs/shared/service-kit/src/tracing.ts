import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Attributes, context, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { CaseEventEnvelope, EventMetadata } from '@caseline/case-contracts';
import { withLogContext } from './logging';

/*
 * OpenTelemetry traces (ADR 0017). A case's trace starts where the case's work starts (an HTTP
 * request, an SMTP message) and follows it through Kafka: each event recorded carries the W3C trace
 * context of the work that recorded it (metadata.traceparent), and the consumers that react to the
 * event continue that trace; so do the outboxes (work orders, messages), which keep the context of
 * the event that owed them. Off unless an OTLP endpoint is configured; spans carry ids, types and
 * route templates, never a resident's personal data (no query strings, no bodies, no addresses).
 */

let provider: NodeTracerProvider | undefined;

const tracer = () => trace.getTracer('caseline');

/** OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) set and OTEL_SDK_DISABLED not "true": traces are exported over OTLP/HTTP. */
export function startTracing(service: string): boolean {
  if (provider) return true;
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || process.env.OTEL_SDK_DISABLED === 'true') return false;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? `caseline-${service}`, 'service.namespace': 'caseline' }),
    // The exporter reads the OTEL_EXPORTER_OTLP_* settings (endpoint, headers, timeout); the batch
    // processor OTEL_BSP_*; the sampler OTEL_TRACES_SAMPLER (default: parent-based, always on).
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

/** Sends the spans still buffered; on shutdown, after the work they describe has finished. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  await stopping?.shutdown().catch(() => undefined);
}

/** Flushes the spans still buffered when the service shuts down. */
@Injectable()
export class TracingLifecycle implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTracing();
  }
}

/** The W3C `traceparent` of the span in progress, if any: what a record of the work carries on. */
export function currentTraceparent(): string | undefined {
  if (!provider || !trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Event metadata stamped with the trace of the work recording it (unchanged when none is traced). */
export function withTraceContext(metadata: EventMetadata): EventMetadata {
  const traceparent = currentTraceparent();
  return traceparent ? { ...metadata, traceparent } : metadata;
}

/** Headers that carry the current trace to another system (an outgoing HTTP request). */
export function traceHeaders(): Record<string, string> {
  const traceparent = currentTraceparent();
  return traceparent ? { traceparent } : {};
}

/** What a span describes: serving a request, calling another system, handing work on, handling a message. */
export type SpanRole = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
const SPAN_KINDS: Record<SpanRole, SpanKind> = { server: SpanKind.SERVER, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, internal: SpanKind.INTERNAL };

/**
 * Runs work in a span: a child of `parent` (a stored traceparent) when given, else of the span in
 * progress. A failure marks the span and is passed on unchanged.
 */
export async function inSpan<T>(name: string, options: { kind: SpanRole; attributes?: Attributes; parent?: string | null }, work: (span: Span) => Promise<T>): Promise<T> {
  if (!provider) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parentContext = options.parent === undefined ? context.active() : options.parent ? propagation.extract(ROOT_CONTEXT, { traceparent: options.parent }) : ROOT_CONTEXT;
  const span = tracer().startSpan(name, { kind: SPAN_KINDS[options.kind], attributes: options.attributes }, parentContext);
  try {
    return await context.with(trace.setSpan(parentContext, span), () => work(span));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
    throw error;
  } finally {
    span.end();
  }
}

/** A consumer's handling of a case event: continues the trace of the work that recorded it. */
export function inEventSpan<T>(event: CaseEventEnvelope, consumerGroup: string, work: () => Promise<T>): Promise<T> {
  return inSpan(
    `${event.type} process`,
    {
      kind: 'consumer',
      parent: event.metadata.traceparent ?? null,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': consumerGroup,
        'caseline.case_id': event.caseId,
        'caseline.event_id': event.eventId,
        'caseline.event_type': event.type,
      },
    },
    work,
  );
}

/**
 * The delivery of a row of an outbox (a work order, a message), perhaps in another process than
 * the handler that owed it: its log lines name the case, and it continues the trace stored with it.
 */
export function asDelivery<T>(name: string, owed: { caseId?: string; causationId?: string; traceparent: string | null; attributes: Attributes }, work: () => Promise<T>): Promise<T> {
  return withLogContext({ correlationId: owed.caseId, causationId: owed.causationId }, () => inSpan(name, { kind: 'producer', parent: owed.traceparent, attributes: owed.attributes }, work));
}

/** fetch, in a client span whose context the request carries (`traceparent`): for calls to other systems. */
export function tracedFetch(url: string, init: RequestInit & { method: string; headers?: Record<string, string> }): Promise<Response> {
  const attributes = { 'http.request.method': init.method, 'server.address': new URL(url).host };
  return inSpan(init.method, { kind: 'client', attributes }, async (span) => {
    const response = await fetch(url, { ...init, headers: { ...init.headers, ...traceHeaders() } });
    span.setAttribute('http.response.status_code', response.status);
    return response;
  });
}

/** A request as Express has routed it. */
export interface RoutedRequest {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/** The route's template ("/v1/cases/:reference"), never the URL as sent (it may name a case or a token); undefined when no route matched. */
export const routeTemplate = (request: RoutedRequest): string | undefined => (typeof request.route?.path === 'string' ? `${request.baseUrl ?? ''}${request.route.path}` : undefined);

interface TracedRequest extends RoutedRequest {
  headers: Record<string, string | string[] | undefined>;
}
interface TracedResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Express middleware: a server span per request, continuing a caller's `traceparent`. Named by the
 * route's template ("GET /v1/cases/:reference"), never the path as sent or its query.
 */
export const traceRequests = () => (request: TracedRequest, response: TracedResponse, next: () => void) => {
  if (!provider) return next();
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = tracer().startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, parent);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const route = routeTemplate(request);
    if (route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  response.once('finish', end);
  response.once('close', end);
  context.with(trace.setSpan(parent, span), next);
};
