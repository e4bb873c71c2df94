import { ArgumentsHost, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from './database-unavailable';
import { ProblemDetailsFilter } from './problem';

/** What the filter answered: status, headers and body. */
function answer(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: '' };
  const response = {
    status: (status: number) => ((sent.status = status), response),
    setHeader: (name: string, value: string) => (sent.headers[name.toLowerCase()] = value),
    type: () => response,
    send: (body: string) => (sent.body = body),
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return { ...sent, problem: JSON.parse(sent.body) };
}

describe('problem details', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a TypeORM query on a dropped connection', { message: 'Query failed', driverError: { code: '08006' } }],
    ['a connection the server cut', new Error('Connection terminated unexpectedly')],
  ])('answers 503 with Retry-After, not 500, when the database is unavailable: %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const { status, headers, problem } = answer(error);
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('2');
    expect(problem.detail).toContain('Idempotency-Key');
  });

  it('answers 500 without internals for anything else, such as a unique violation', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "secret_index"'), { code: '23505' });
    expect(isDatabaseUnavailable(error)).toBe(false);
    const { status, headers, body } = answer(error);
    expect(status).toBe(500);
    expect(headers['retry-after']).toBeUndefined();
    expect(body).not.toContain('secret_index');
  });
});
