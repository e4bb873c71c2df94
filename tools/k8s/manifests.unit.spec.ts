import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '../..');
const K8S = join(ROOT, 'k8s');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SERVICES } = require(join(ROOT, 'tools/dev/system.js')) as { SERVICES: { name: string; portEnv: string; port: number }[] };
/** The services a city deploys (the others stand in for the outside world in development). */
const DEPLOYED = ['intake', 'routing', 'department-adapter', 'notification', 'statistics'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec: any };
const objectsIn = (dir: string): K8sObject[] =>
  readdirSync(join(K8S, dir))
    .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
    .flatMap((name) => parseAllDocuments(readFileSync(join(K8S, dir, name), 'utf8')).map((document) => document.toJS() as K8sObject));
const validate = (dir: string) => spawnSync(process.execPath, [join(ROOT, 'tools/k8s/validate.mjs'), dir], { encoding: 'utf8' });

describe('the Kubernetes manifests (k8s/)', () => {
  const base = objectsIn('base');
  const kafka = objectsIn('kafka');
  const find = (kind: string, name: string) => base.find((o) => o.kind === kind && o.metadata.name === name);

  it('are valid against the Kubernetes API and Strimzi schemas, offline', () => {
    const result = validate(K8S);
    expect(result.stdout).not.toContain('INVALID');
    expect(result.status).toBe(0);
    // The validator does refuse: a Deployment with two replicas written as a word.
    const bad = mkdtempSync(join(tmpdir(), 'caseline-k8s-'));
    writeFileSync(join(bad, 'bad.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec: { replicas: two, selector: { matchLabels: { a: b } }, template: { metadata: { labels: { a: b } }, spec: { containers: [] } } }\n');
    const refused = validate(bad);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('spec/replicas must be integer');
  });

  it.each(['base', 'kafka', 'monitoring'])('k8s/%s/kustomization.yaml lists every manifest in its directory', (dir) => {
    const listed = (parse(readFileSync(join(K8S, dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources.sort();
    expect(listed).toEqual(readdirSync(join(K8S, dir)).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml').sort());
  });

  it.each(DEPLOYED)('%s: its entry point and port, probes, resources, no privilege, a Service, an autoscaler and a disruption budget', (name) => {
    const service = SERVICES.find((s) => s.name === name)!;
    const deployment = find('Deployment', name)!;
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.command).toEqual(['node', `apps/${name}/src/main.js`]);
    expect(container.env).toContainEqual({ name: service.portEnv, value: String(service.port) });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: service.port });
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container.resources.limits.memory).toBeDefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    // Its own database role, never the owner's (ADR 0012); migrations are a separate step.
    expect(container.env).toContainEqual(expect.objectContaining({ name: `${name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL` }));
    expect(JSON.stringify(container.env)).not.toMatch(/MIGRATION_DATABASE_URL|"value":"[^"]*(secret|password)/i);
    expect(find('Service', name)?.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(find('HorizontalPodAutoscaler', name)?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(find('PodDisruptionBudget', name)?.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it('scales each consumer group no further than the case-events partitions, and gives each Kafka client its own user', () => {
    const topic = kafka.find((o) => o.kind === 'KafkaTopic' && o.metadata.name === 'caseline.case-events.v1')!;
    for (const autoscaler of base.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.metrics.some((m: { type: string }) => m.type === 'External'))) {
      expect(autoscaler.spec.maxReplicas).toBeLessThanOrEqual(topic.spec.partitions);
    }
    for (const deployment of base.filter((o) => o.kind === 'Deployment')) {
      const password = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'KAFKA_SASL_PASSWORD');
      if (!password) continue;
      const user = kafka.find((o) => o.kind === 'KafkaUser' && o.metadata.name === `caseline-${deployment.metadata.name}`);
      expect(password.valueFrom.secretKeyRef.name).toBe(user?.metadata.name);
      expect(user?.spec.authorization.acls).toContainEqual(expect.objectContaining({ resource: { type: 'group', name: `caseline-${deployment.metadata.name}`, patternType: 'literal' } }));
    }
  });

  it('deploys the services docker-compose runs, and no more', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, unknown> };
    const composed = Object.keys(compose.services).filter((name) => SERVICES.some((s) => s.name === name) && DEPLOYED.includes(name));
    expect(composed.sort()).toEqual([...DEPLOYED].sort());
    expect(base.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual([...DEPLOYED].sort());
  });

  it('alerts and charts only on metrics that exist: Caseline’s own, Kafka Exporter’s, Prometheus’s up', () => {
    const exposed = new Set(
      readdirSync(join(ROOT, 'libs/shared/service-kit/src'))
        .filter((name) => name.endsWith('.ts') && !name.includes('.spec.'))
        .flatMap((name) => [...readFileSync(join(ROOT, 'libs/shared/service-kit/src', name), 'utf8').matchAll(/name: '(caseline_[a-z_]+)'/g)].map((match) => match[1])),
    );
    const monitoring = ['alerts.yaml', 'dashboard.yaml'].map((name) => readFileSync(join(K8S, 'monitoring', name), 'utf8')).join('\n');
    const used = new Set([...monitoring.matchAll(/\b(caseline_[a-z_]+)/g)].map((match) => match[1].replace(/_(bucket|count|sum)$/, '')));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect({ name, exposed: exposed.has(name) }).toEqual({ name, exposed: true });
    for (const name of ['relay_oldest_unpublished_seconds', 'consumer_lag_messages', 'consumer_messages_total', 'delivery_failures_total', 'http_request_duration_seconds']) expect(used).toContain(`caseline_${name}`);
  });

  it('builds images that run as an unprivileged user, from compiled JavaScript', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/\nUSER node\n/);
    expect(final).toMatch(/ENV NODE_ENV=production/);
    expect(dockerfile).toMatch(/RUN node tools\/build\/compile\.mjs/);
  });
});
