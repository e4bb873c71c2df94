import { randomUUID } from 'node:crypto';
import { waitFor } from '@caseline/testing';
import { streetlightReport, withWholeSystem } from './case-api';

/*
 * What an operator watches, on the running system (k8s/monitoring alerts on these): requests by
 * route pattern, each consumer group's lag and outcomes, the relay's lag, failed deliveries — and
 * no label that names a case, a token or a resident.
 */
describe('what an operator watches (GET /metrics, and the logs)', () => {
  const the = withWholeSystem([], { LOG_FORMAT: 'json' });
  const metricsOf = async (service: 'intake' | 'routing' | 'department-adapter' | 'notification') => (await the.system.fetchAs('prometheus', `${the.system.url(service)}/metrics`)).text();
  const simulatorControl = (knobs: object) => fetch(`${the.system.url('department-simulator')}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });

  it('counts requests by route pattern, and each consumer group’s handled events and lag', async () => {
    const email = `metrics.${randomUUID()}@example.org`;
    const { reference } = await the.api.submit(streetlightReport(email));
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified'], 'the case to go the whole way');

    const intake = await metricsOf('intake');
    expect(intake).toMatch(/caseline_http_request_duration_seconds_count\{method="POST",route="\/v1\/cases",status="201"\} [1-9]/);
    expect(intake).toMatch(/caseline_http_request_duration_seconds_count\{method="GET",route="\/v1\/cases\/:reference\/history",status="200"\} [1-9]/);
    expect(intake).not.toContain(reference);
    expect(intake).not.toContain(email);
    for (const service of ['routing', 'department-adapter', 'notification'] as const) {
      const metrics = await metricsOf(service);
      expect(metrics).toMatch(new RegExp(`caseline_consumer_messages_total\\{group="[^"]+-${service}",outcome="handled"\\} [1-9]`));
      expect(metrics).toMatch(new RegExp(`caseline_consumer_lag_messages\\{group="[^"]+-${service}",partition="\\d+"\\} \\d+`));
    }
    // Every replica can tell how far the relay is behind the log; caught up, nothing waits.
    await waitFor(async () => /^caseline_relay_lag_events 0$/m.test(await metricsOf('routing')), 'the relay lag to read 0');
    expect(await metricsOf('routing')).toMatch(/^caseline_relay_oldest_unpublished_seconds 0$/m);
  });

  it('logs JSON lines that follow a case from service to service by its correlation id, and never name its reporter', async () => {
    const email = `logs.${randomUUID()}@example.org`;
    const { reference, id } = await the.api.submit(streetlightReport(email));
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified'], 'the case to go the whole way');
    await waitFor(() => the.system.logs.some((line) => line.startsWith('[notification]') && line.includes(id)), 'notification to log the message it sent');
    const lines = the.system.logs.filter((line) => line.includes('{')).map((line) => ({ service: line.slice(1, line.indexOf(']')), entry: JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown> }));
    const aboutTheCase = lines.filter(({ entry }) => entry.correlationId === id);
    // Routing's decision, the adapter's delivery and notification's message: each service's lines carry the case's id.
    expect(new Set(aboutTheCase.map(({ service }) => service))).toEqual(new Set(['routing', 'department-adapter', 'notification']));
    for (const { service, entry } of aboutTheCase) expect(entry).toMatchObject({ service, level: expect.any(String), message: expect.any(String) });
    expect(the.system.logs.join('\n')).not.toContain(email);
  });

  it('counts a department system’s failures to take a work order, by department', async () => {
    await simulatorControl({ down: true });
    try {
      const { reference } = await the.api.submit(streetlightReport(`down.${randomUUID()}@example.org`));
      await the.api.waitForHistory(reference, ['CaseRouted'], 'the routing');
      await waitFor(async () => /caseline_delivery_failures_total\{kind="work-order",target="DOT",outcome="retried"\} [1-9]/.test(await metricsOf('department-adapter')), 'the failed delivery to be counted');
    } finally {
      await simulatorControl({ down: false });
    }
  });
});
