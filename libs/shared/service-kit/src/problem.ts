import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Observable, throwError } from 'rxjs';
import { isDatabaseUnavailable } from './database-unavailable';

/** One invalid field: which one, and the rule it broke. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** RFC 9457 problem details, the only error shape our HTTP APIs return. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown anywhere in a request path to answer with a specific problem. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }
}

export const problem = (status: number, title: string, detail?: string, errors?: FieldError[]): ProblemException =>
  new ProblemException({ type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) });

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Maps every HTTP error to problem+json; unexpected ones are logged and answered without internals.
 * Errors of event handlers pass through unchanged, for the Kafka transport to retry or park.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toProblem(exception);
    if (isDatabaseUnavailable(exception)) response.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) return exception.problem;
    const bodyParserError = exception as { type?: string; status?: number };
    if (bodyParserError?.type === 'entity.too.large') {
      return { type: 'about:blank', title: 'Payload Too Large', status: 413, detail: 'The request body is larger than this endpoint accepts (64 KiB for JSON and forms).' };
    }
    if (bodyParserError?.type === 'entity.parse.failed') {
      return { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The request body is not valid JSON.' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: Array.isArray(detail) ? detail.join('; ') : String(detail ?? exception.message) };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`answered 503: the database is unavailable (${(exception as Error).message})`);
      return { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The case log cannot be reached just now. Try again in a few seconds; with the same Idempotency-Key a retry never makes a second case.' };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.' };
  }
}
