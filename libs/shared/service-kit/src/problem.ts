import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Observable, throwError } from 'rxjs';

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
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.' };
  }
}
