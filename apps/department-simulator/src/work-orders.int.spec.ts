import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { departmentSecret, ProblemDetails, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';
import { runningSimulator } from './running-simulator';
import { Knobs, StatusUpdate, WorkOrder } from './work-order.store';

const order = { caseReference: 'CL-2026-000123', serviceCode: 'STREETLIGHT', description: 'Lamp out on 5th Ave' };

const json = <T>(response: Response): Promise<T> => response.json() as Promise<T>;
const fields = (problem: ProblemDetails): string[] => (problem.errors ?? []).map((error) => error.field);

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('department simulator', () => {
  const simulator = runningSimulator();

  // Work orders come signed by Caseline, as DOT's (the adapter's) requests do.
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const signed: Record<string, string> = method === 'POST' && (path === '/work-orders' || path.endsWith('/updates')) ? { 'caseline-department': 'DOT', [SIGNATURE_HEADER]: signBody(departmentSecret('DOT'), text ?? '') } : {};
    return fetch(`${simulator.url}${path}`, { method, headers: { 'content-type': 'application/json', ...signed, ...headers }, body: text });
  };


  it('creates a work order once per Idempotency-Key', async () => {
    const first = await call('POST', '/work-orders', order, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(201);
    const created = await json<WorkOrder>(first);
    expect(created).toMatchObject({ ...order, idempotencyKey: 'key-1', status: 'open', history: [{ status: 'open' }] });
    expect(created.id).toMatch(/^WO-[0-9A-Z]+-000001$/);

    const again = await call('POST', '/work-orders', order, { 'idempotency-key': 'key-1' });
    expect(again.status).toBe(200);
    expect((await json<WorkOrder>(again)).id).toBe(created.id);

    const all = await json<WorkOrder[]>(await call('GET', '/work-orders'));
    expect(all).toHaveLength(1);
    expect(await json<WorkOrder>(await call('GET', `/work-orders/${created.id}`))).toEqual(created);
  });

  it('never reissues an id after a reset', async () => {
    const before = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'a' }));
    await call('POST', '/reset');
    const after = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'a' }));
    expect(after.id).not.toBe(before.id);
  });

  it('requires an Idempotency-Key', async () => {
    const response = await call('POST', '/work-orders', order);
    expect(response.status).toBe(400);
    expect(fields(await json<ProblemDetails>(response))).toEqual(['Idempotency-Key']);
    expect(await json<WorkOrder[]>(await call('GET', '/work-orders'))).toEqual([]);
  });

  it('answers 404 as problem+json for an unknown work order', async () => {
    const response = await call('GET', '/work-orders/WO-NOPE');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('is unavailable while down, and fails without storing at errorRate 1', async () => {
    const down = await call('PUT', '/control', { down: true });
    expect(await json<Knobs>(down)).toMatchObject({ down: true, errorRate: 0, latencyMs: 0 });
    expect((await call('POST', '/work-orders', order, { 'idempotency-key': 'k' })).status).toBe(503);

    await call('PUT', '/control', { down: false, errorRate: 1 });
    expect(await json<Knobs>(await call('GET', '/control'))).toMatchObject({ down: false, errorRate: 1 });
    const failed = await call('POST', '/work-orders', order, { 'idempotency-key': 'k' });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(await json<WorkOrder[]>(await call('GET', '/work-orders'))).toEqual([]);

    await call('PUT', '/control', { errorRate: 0, latencyMs: 20, statusSequence: ['scheduled', 'completed'] });
    expect(await json<Knobs>(await call('GET', '/control'))).toEqual({ down: false, refuse: false, errorRate: 0, latencyMs: 20, statusSequence: ['scheduled', 'completed'], autoProgressMs: 0, open311Tokens: false });
    expect((await call('POST', '/work-orders', order, { 'idempotency-key': 'k' })).status).toBe(201);
  });

  it('walks each new work order through the status sequence on its own when asked to, stopping at a cancellation', async () => {
    await call('PUT', '/control', { autoProgressMs: 30, statusSequence: ['acknowledged', 'scheduled', 'completed'] });
    const walked = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'auto-1' }));
    const cancelled = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'auto-2' }));
    await call('POST', `/work-orders/${cancelled.id}/updates`, { kind: 'cancel' }, { 'idempotency-key': 'auto-2-cancel' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await json<WorkOrder>(await call('GET', `/work-orders/${walked.id}`))).history.map((h) => h.status)).toEqual(['open', 'acknowledged', 'scheduled', 'completed']);
    expect((await json<WorkOrder>(await call('GET', `/work-orders/${cancelled.id}`))).history.map((h) => h.status)).toEqual(['open', 'cancelled']);
  });

  it('rejects bad knobs with problem+json naming each field', async () => {
    const response = await call('PUT', '/control', { down: 'yes', errorRate: 2, latencyMs: -1, statusSequence: ['done'] });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = await json<ProblemDetails>(response);
    expect(body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(new Set(fields(body))).toEqual(new Set(['down', 'errorRate', 'latencyMs', 'statusSequence']));
    expect(await json<Knobs>(await call('GET', '/control'))).toMatchObject({ down: false, errorRate: 0, latencyMs: 0 });
  });

  it('takes only work orders signed with the department\'s secret', async () => {
    const unsigned = await fetch(`${simulator.url}/work-orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'u', 'caseline-department': 'DOT' }, body: JSON.stringify(order) });
    expect(unsigned.status).toBe(401);
    const forged = await call('POST', '/work-orders', order, { 'idempotency-key': 'f', [SIGNATURE_HEADER]: signBody('guessed', JSON.stringify(order)) });
    expect(forged.status).toBe(401);
    expect(await json<WorkOrder[]>(await call('GET', '/work-orders'))).toEqual([]);
  });

  it('takes an update once per idempotency key: information resent after a crash is kept once', async () => {
    const created = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'w' }));
    const information = { kind: 'information', text: 'Pole 4417' };
    expect((await call('POST', `/work-orders/${created.id}/updates`, information, { 'idempotency-key': 'u-1' })).status).toBe(200);
    const again = await json<WorkOrder & { information: unknown[] }>(await call('POST', `/work-orders/${created.id}/updates`, information, { 'idempotency-key': 'u-1' }));
    expect(again.information).toHaveLength(1);
    expect((await call('POST', `/work-orders/${created.id}/updates`, information)).status).toBe(400);
  });

  it('rejects a bad work order and a bad status change', async () => {
    const badOrder = await call('POST', '/work-orders', { ...order, caseReference: '', callbackUrl: 'not a url' }, { 'idempotency-key': 'x' });
    expect(badOrder.status).toBe(400);
    expect(fields(await json<ProblemDetails>(badOrder))).toEqual(expect.arrayContaining(['caseReference', 'callbackUrl']));

    const { id } = await json<WorkOrder>(await call('POST', '/work-orders', order, { 'idempotency-key': 'y' }));
    const badStatus = await call('POST', `/work-orders/${id}/status`, { status: 'open' });
    expect(badStatus.status).toBe(400);
    expect(fields(await json<ProblemDetails>(badStatus))).toEqual(['status']);
  });

  describe('status pushes', () => {
    let callback: Server;
    let callbackUrl: string;
    const received: { status: number; body: Record<string, unknown> }[] = [];

    beforeAll(async () => {
      // Fails the first delivery, so the simulator must retry.
      callback = createServer((request, response) => {
        let raw = '';
        request.on('data', (chunk) => (raw += chunk));
        request.on('end', () => {
          const status = received.length === 0 ? 500 : 200;
          received.push({ status, body: JSON.parse(raw) });
          response.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
      callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/status-updates`;
    });

    afterAll(() => new Promise<void>((resolve) => callback.close(() => resolve())));

    it('retries a status update with the same updateId until the callback accepts it', async () => {
      const { id } = await json<WorkOrder>(await call('POST', '/work-orders', { ...order, callbackUrl }, { 'idempotency-key': 'push' }));

      const accepted = await call('POST', `/work-orders/${id}/status`, { status: 'scheduled', note: 'Crew booked', scheduledFor: '2026-12-01T09:00:00Z' });
      expect(accepted.status).toBe(202);
      const update = await json<StatusUpdate>(accepted);
      expect(update).toMatchObject({ workOrderId: id, caseReference: order.caseReference, status: 'scheduled', note: 'Crew booked', scheduledFor: '2026-12-01T09:00:00Z' });
      expect(update.updateId).toMatch(/^[0-9a-f-]{36}$/);

      await waitFor(() => (received.some((r) => r.status === 200) ? true : undefined), 'a delivery the callback accepted');
      expect(received.map((r) => r.status)).toEqual([500, 200]);
      for (const delivery of received) expect(delivery.body).toEqual(update);

      const stored = await json<WorkOrder>(await call('GET', `/work-orders/${id}`));
      expect(stored.status).toBe('scheduled');
      expect(stored.history).toEqual([expect.objectContaining({ status: 'open' }), expect.objectContaining({ status: 'scheduled', updateId: update.updateId })]);
    });
  });
});
