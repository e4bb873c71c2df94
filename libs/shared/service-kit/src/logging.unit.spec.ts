import { CaselineLogger, requestLogContext, withLogContext } from './logging';

/** Lines the logger wrote to stdout while `work` ran. */
function linesOf(work: () => void): string[] {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  try {
    work();
  } finally {
    write.mockRestore();
  }
  return written.join('').split('\n').filter(Boolean);
}

describe('structured logs', () => {
  it('writes one JSON object per line: level, service, context, message, and the case and event the work is about', () => {
    const logger = new CaselineLogger('routing', ['log'], true);
    const [line] = linesOf(() => withLogContext({ correlationId: 'case-1', causationId: 'event-1' }, () => logger.log('routed', 'RoutingService')));
    expect(JSON.parse(line)).toMatchObject({ level: 'log', service: 'routing', context: 'RoutingService', message: 'routed', correlationId: 'case-1', causationId: 'event-1' });
  });

  it('adds nothing outside a request or an event, and nests: an event handled within a request keeps the request id', () => {
    const logger = new CaselineLogger('intake', ['log'], true);
    const [outside, nested] = linesOf(() => {
      logger.log('started');
      withLogContext({ requestId: 'r-1' }, () => withLogContext({ correlationId: 'case-2' }, () => logger.log('reported')));
    }).map((line) => JSON.parse(line));
    expect(outside).not.toHaveProperty('correlationId');
    expect(nested).toMatchObject({ requestId: 'r-1', correlationId: 'case-2' });
  });

  it('stays Nest\'s readable text when asked (LOG_FORMAT=text, the default outside production)', () => {
    const [line] = linesOf(() => withLogContext({ correlationId: 'case-3' }, () => new CaselineLogger('notification', ['log'], false).log('sent', 'Dispatcher')));
    expect(line).toMatch(/\[Dispatcher\] sent$/);
  });

  it('gives each request an id — the caller\'s X-Request-Id when well-formed — on its answer and its log lines', () => {
    const logger = new CaselineLogger('intake', ['log'], true);
    const answer = (header?: string) => {
      const headers: Record<string, string> = {};
      const [line] = linesOf(() => requestLogContext()({ headers: header === undefined ? {} : { 'x-request-id': header } }, { setHeader: (name, value) => (headers[name] = value) }, () => logger.log('handled')));
      return { header: headers['X-Request-Id'], logged: JSON.parse(line).requestId };
    };
    expect(answer('portal-42')).toEqual({ header: 'portal-42', logged: 'portal-42' });
    const fresh = answer('not a good id\n{"forged":true}');
    expect(fresh.header).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.logged).toBe(fresh.header);
  });
});
