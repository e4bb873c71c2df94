// Quick start: the whole Caseline system with the demo city, in the foreground.
// Ctrl-C or SIGTERM stops everything it started, Kafka included.
import system from './system.js';

const { SERVICES, ensureDatabase, waitForKafka, startLocalKafka, fetchLocalKafka, startService, waitReady, portOf, stopAll } = system;

const env = { ...process.env };
env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/caseline';
// The demo's Open311 back office (Parks) is asked for changes every 2 s rather than a production 30 s.
env.DEPARTMENT_POLL_MS ||= '2000';
const children = [];
let kafka;
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Caseline...');
  await stopAll(children);
  if (kafka) await stopAll([kafka], 30000);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await ensureDatabase(env.DATABASE_URL);
  if (!env.KAFKA_BROKERS) {
    fetchLocalKafka();
    kafka = startLocalKafka(env);
    kafka.once('exit', (code) => !stopping && (console.error(`Kafka exited (${code})`), void shutdown(1)));
    env.KAFKA_BROKERS = `127.0.0.1:${env.KAFKA_PORT || 9092}`;
  }
  await waitForKafka(env.KAFKA_BROKERS.split(','));
  for (const service of SERVICES) {
    const child = startService(service.name, env);
    children.push(child);
    child.once('exit', (code, signal) => !stopping && (console.error(`${service.name} exited (${code ?? signal})`), void shutdown(1)));
    await waitReady(`http://127.0.0.1:${portOf(service, env)}/health/ready`, 90000, () => child.exitCode === null);
  }
  const url = (name) => `http://127.0.0.1:${portOf(SERVICES.find((s) => s.name === name), env)}`;
  console.log(`
Caseline is running (demo city). Press Ctrl-C to stop.

  Native API (intake)      ${url('intake')}/v1/services   POST ${url('intake')}/v1/cases
  Routing                  ${url('routing')}/v1/routing/dry-run
  Department adapter       ${url('department-adapter')}/health/ready
  Notification             ${url('notification')}/health/ready
  City figures (CitiStat)  ${url('statistics')}/statistics   (staff token; JSON at /v1/statistics/figures)
  Department simulator     ${url('department-simulator')}/work-orders
  Email requests           SMTP 127.0.0.1:${env.INTAKE_SMTP_PORT || 2526} to requests@demo-city.caseline.local
  Mail catcher             ${url('mail-catcher')}/messages   (SMTP 127.0.0.1:${env.MAIL_CATCHER_SMTP_PORT || 2525})
  Staff sign-in (OIDC)     ${url('identity-provider')}/.well-known/openid-configuration   (demo staff: config/demo-city/staff.json, password caseline-demo)
  Kafka                    ${env.KAFKA_BROKERS}
  PostgreSQL               ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}

Try it:
  curl -s -X POST ${url('intake')}/v1/cases -H 'content-type: application/json' \\
    -d '{"serviceCode":"STREETLIGHT","description":"The light on my corner is out","location":{"lat":40.7484,"long":-73.9857},"channel":"web","reporter":{"email":"resident@example.org"}}'
  TOKEN=$(curl -s ${url('identity-provider')}/token -d grant_type=password -d username=olivia.operator -d password=caseline-demo | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s ${url('intake')}/v1/cases/<reference>/history -H "authorization: Bearer $TOKEN"
`);
} catch (error) {
  console.error(`Caseline could not start: ${error.message}`);
  await shutdown(1);
}
