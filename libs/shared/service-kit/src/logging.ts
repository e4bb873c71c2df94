import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isProduction } from './config';

/**
 * What a log line is about, set around each HTTP request and each case event handled: the case's
 * correlation id (its case id, carried by every event of the case across services), the event that
 * caused the work, and the HTTP request's id. Never a resident's personal data.
 */
export interface LogContext {
  correlationId?: string;
  causationId?: string;
  requestId?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs work with these fields on every log line it writes (added to any already set). */
export const withLogContext = <T>(fields: LogContext, work: () => T): T => context.run({ ...context.getStore(), ...fields }, work);

/** JSON lines (LOG_FORMAT=json, the default in production, for a log pipeline) or Nest's text (LOG_FORMAT=text, the default elsewhere). */
export const logsAsJson = (): boolean => (process.env.LOG_FORMAT ?? (isProduction() ? 'json' : 'text')) === 'json';

/**
 * The services' logger: Nest's, one JSON object per line when logsAsJson() — level, time, service,
 * context, message, and the case and request the line is about (LogContext).
 */
export class CaselineLogger extends ConsoleLogger {
  constructor(
    private readonly service: string,
    logLevels: LogLevel[] = ['log', 'warn', 'error'],
    json = logsAsJson(),
  ) {
    super({ json, logLevels, colors: false, ...(json ? { compact: true } : {}) });
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]): ReturnType<ConsoleLogger['getJsonLogObject']> {
    // The trace the line belongs to, when traced (ADR 0017): logs and spans of one case's work join up.
    const span = trace.getActiveSpan()?.spanContext();
    const traceId = span && isSpanContextValid(span) ? span.traceId : undefined;
    return Object.assign(super.getJsonLogObject(message, options), { service: this.service, ...context.getStore(), ...(traceId ? { traceId } : {}) });
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Express middleware: each request's id (a caller's X-Request-Id when well-formed, else a new one) on its log lines and its answer. */
export const requestLogContext = () => (request: { headers: Record<string, string | string[] | undefined> }, response: { setHeader(name: string, value: string): void }, next: () => void) => {
  const given = request.headers['x-request-id'];
  const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', requestId);
  withLogContext({ requestId }, next);
};
