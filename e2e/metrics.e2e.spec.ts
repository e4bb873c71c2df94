import { randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@caseline/testing';
import { streetlightReport, withWholeSystem } from './case-api';
import { CollectedSpan, OtlpCollector } from './otlp-collector';

/*
 * What an operator watches, on the running system (k8s/monitoring alerts on these): requests by
 * route pattern, each consumer group's lag and outcomes, the relay's lag, failed deliveries — and
 * no label that names a case, a token or a resident. And the traces of a case's work, exported over
 * OTLP to a trace backend (a stand-in here).
 */
describe('what an operator watches (GET /metrics, the logs, the traces)', () => {
  const collector = new OtlpCollector();
  const env: NodeJS.ProcessEnv = { LOG_FORMAT: 'json', OTEL_BSP_SCHEDULE_DELAY: '100' };
  // Before the system starts (hooks run in order): every service exports to the collector.
  beforeAll(async () => void (env.OTEL_EXPORTER_OTLP_ENDPOINT = await collector.start()));
  afterAll(() => collector.stop());
  const the = withWholeSystem([], env);
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

  it('traces a case in one trace: the portal’s request, each service’s handling of each event through Kafka, the work order and the message', async () => {
    const email = `traces.${randomUUID()}@example.org`;
    // The portal's own trace: Caseline continues it (W3C traceparent).
    const traceId = randomBytes(16).toString('hex');
    const portalSpan = randomBytes(8).toString('hex');
    const response = await fetch(`${the.system.url('intake')}/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${portalSpan}-01` },
      body: JSON.stringify(streetlightReport(email)),
    });
    expect(response.status).toBe(201);
    const { reference, id } = (await response.json()) as { reference: string; id: string };
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified'], 'the case to go the whole way');

    const expected = [
      ['caseline-intake', 'POST /v1/cases'],
      ['caseline-routing', 'CaseReported process'],
      ['caseline-department-adapter', 'CaseRouted process'],
      ['caseline-department-adapter', 'work order deliver'],
      ['caseline-department-adapter', 'POST'],
      ['caseline-notification', 'CaseReported process'],
      ['caseline-notification', 'notification deliver'],
      ['caseline-notification', 'WorkOrderCreated process'],
    ];
    const has = (spans: CollectedSpan[], [service, name]: string[]) => spans.some((span) => span.service === service && span.name === name);
    const spans = await waitFor(() => {
      const ofTheCase = collector.spans.filter((span) => span.traceId === traceId);
      return expected.every((wanted) => has(ofTheCase, wanted)) && ofTheCase;
    }, 'the spans of the case’s work to reach the collector');

    // One tree: every span hangs from the portal's span or from another span of the trace.
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.filter((span) => span.parentSpanId !== portalSpan && !ids.has(span.parentSpanId!))).toEqual([]);
    const named = (service: string, name: string) => spans.find((span) => span.service === service && span.name === name)!;
    expect(named('caseline-intake', 'POST /v1/cases')).toMatchObject({ parentSpanId: portalSpan, kind: 2, attributes: { 'http.route': '/v1/cases', 'http.response.status_code': 201 } });
    // Routing reacts to the report; the adapter to the routing: each continues the span that recorded the event.
    const routed = named('caseline-routing', 'CaseReported process');
    expect(routed).toMatchObject({ kind: 5, attributes: { 'messaging.system': 'kafka', 'caseline.case_id': id, 'caseline.event_type': 'CaseReported' } });
    expect(named('caseline-department-adapter', 'CaseRouted process').parentSpanId).toBe(routed.spanId);
    // The department system is called inside the delivery, with the trace in its request.
    const delivery = named('caseline-department-adapter', 'work order deliver');
    expect(named('caseline-department-adapter', 'POST')).toMatchObject({ parentSpanId: delivery.spanId, kind: 3 });
    expect(spans.filter((span) => span.name === 'WorkOrderCreated process').map((span) => span.parentSpanId)).toContain(delivery.spanId);
    // No resident's data in any span.
    expect(JSON.stringify(spans)).not.toContain(email);
    // The services' log lines about the case name its trace.
    const logged = the.system.logs.filter((line) => line.includes(id) && line.includes('{')).map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { traceId?: string });
    expect(logged.filter((entry) => entry.traceId === traceId).length).toBeGreaterThan(0);
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
