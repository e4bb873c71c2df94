// The dependency audit CI runs before the tests; the policy is docs/security.md's.
//
//   node tools/audit/audit.mjs                       asks the registry's audit service
//   node tools/audit/audit.mjs prod.json [all.json]  judges saved `npm audit --json` reports instead
//
// Fails (exit 1) on: a high or critical advisory in a production dependency that the allowlist
// does not excuse; an allowlist entry without a reason or past its expiry; a production dependency
// missing, invalid or not pinned to an exact version. Reports, without failing: moderate and low
// advisories, dev-only advisories, allowlist entries no advisory needs any more, and an audit
// service that cannot be reached (the audit did not run: the offline checks still do).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const FAILING = new Set(['high', 'critical']);
const failures = [];
const fail = (message) => failures.push(message);
const npm = (...args) => spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

/** Every advisory of an `npm audit --json` report, once per package: the objects in `via` are advisories, strings only point at another package. */
function advisories(report) {
  const found = new Map();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via.filter((item) => typeof item === 'object')) {
      // The GHSA id, as the advisory's URL names it (https://github.com/advisories/GHSA-…).
      const id = /GHSA(-[0-9a-z]{4}){3}/i.exec(via.url ?? '')?.[0] ?? String(via.source);
      found.set(`${id} ${via.name}`, { id, package: via.name, severity: via.severity, title: via.title, url: via.url, range: via.range });
    }
  }
  return [...found.values()];
}

/** A report, or undefined when the audit service did not answer with one (npm prints its error as JSON instead). */
function auditReport(savedFile, ...args) {
  if (savedFile) return JSON.parse(readFileSync(savedFile, 'utf8'));
  const { stdout } = npm('audit', ...args, '--json');
  try {
    const report = JSON.parse(stdout);
    return report.vulnerabilities ? report : undefined;
  } catch {
    return undefined;
  }
}

const describe = (advisory) => `${advisory.severity} ${advisory.id} in ${advisory.package}${advisory.range ? ` ${advisory.range}` : ''}: ${advisory.title} ${advisory.url ?? ''}`.trim();

// 1. The allowlist: every entry says why, and until when (an expired entry fails: look again).
const today = new Date().toISOString().slice(0, 10);
const allowlist = JSON.parse(readFileSync(join(root, 'tools/audit/allowlist.json'), 'utf8')).advisories;
for (const entry of allowlist) {
  if (!entry.id || !entry.package || !entry.reason?.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(entry.expires ?? '')) fail(`allowlist entry ${JSON.stringify(entry)} needs an id, a package, a reason and an expiry date (YYYY-MM-DD)`);
  else if (entry.expires < today) fail(`allowlist entry ${entry.id} (${entry.package}) expired on ${entry.expires}: fix the dependency, or review the reason and set a new date`);
}
const allowed = (advisory) => allowlist.find((entry) => entry.id === advisory.id && entry.package === advisory.package && entry.expires >= today);

// 2. Offline, always: the installed production tree is complete and valid, and pinned.
const tree = npm('ls', '--omit=dev', '--all');
if (tree.status !== 0) fail(`npm ls --omit=dev --all failed (missing or invalid packages):\n${(tree.stderr || tree.stdout).trim()}`);
const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const [name, version] of Object.entries(dependencies)) {
  // An exact version: a range (^, ~, >=, *, x) or a tag lets a new release in unreviewed.
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`production dependency ${name} is "${version}": pin it to an exact version`);
}
console.log(`offline: npm ls of the production tree ${tree.status === 0 ? 'passed' : 'FAILED'}; ${Object.keys(dependencies).length} production dependencies checked for exact versions`);

// 3. Online: the registry's advisories.
const [savedProduction, savedAll] = process.argv.slice(2);
const production = auditReport(savedProduction, '--omit=dev', '--audit-level=high');
if (!production) {
  console.warn('WARNING: the dependency audit did NOT run: the registry\'s audit service could not be reached (`npm audit --omit=dev` gave no report). Only the offline checks ran.');
} else {
  const found = advisories(production);
  for (const advisory of found) {
    const entry = allowed(advisory);
    if (!FAILING.has(advisory.severity)) console.log(`reported: ${describe(advisory)}`);
    else if (entry) console.log(`allowed until ${entry.expires}: ${describe(advisory)} (${entry.reason})`);
    else fail(`production dependency: ${describe(advisory)}`);
  }
  for (const entry of allowlist.filter((e) => !found.some((advisory) => advisory.id === e.id && advisory.package === e.package))) {
    console.log(`allowlist entry ${entry.id} (${entry.package}) matches no advisory any more: remove it`);
  }
  // Dev-only advisories (tools and tests, never shipped): reported only.
  const all = savedProduction ? savedAll && auditReport(savedAll) : auditReport(undefined);
  const productionIds = new Set(found.map((advisory) => `${advisory.id} ${advisory.package}`));
  for (const advisory of all ? advisories(all) : []) {
    if (!productionIds.has(`${advisory.id} ${advisory.package}`)) console.log(`reported (dev only): ${describe(advisory)}`);
  }
  console.log(`audit: ${found.length} advisory(ies) in production dependencies, ${found.filter((a) => FAILING.has(a.severity)).length} high or critical`);
}

for (const message of failures) console.error(`FAIL: ${message}`);
console.log(failures.length ? `dependency policy: ${failures.length} failure(s) (docs/security.md)` : 'dependency policy: passed');
process.exit(failures.length ? 1 : 0);
