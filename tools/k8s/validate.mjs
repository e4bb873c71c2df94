#!/usr/bin/env node
// Validates every manifest under k8s/ against the Kubernetes API's schemas (kubernetes-models),
// Strimzi's and the Prometheus Operator's (their CRDs), offline: node tools/k8s/validate.mjs [dir]. Prints one line per object, and
// each problem; exits 1 if any object is invalid or of a kind it has no schema for.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = process.argv[2] ?? join(import.meta.dirname, '../../k8s');

function* manifests(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* manifests(path);
    else if (/\.ya?ml$/.test(name) && name !== 'kustomization.yaml') yield path;
  }
}

/** The model class of an apiVersion and kind: the Kubernetes API's, or Strimzi's. */
async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module = group.endsWith('strimzi.io')
    ? `@kubernetes-models/strimzi-kafka-operator/${group}/${version}/${kind}`
    : group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

let problems = 0;
for (const file of manifests(root)) {
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length > 0) {
      problems++;
      console.log(`${relative(root, file)}: not YAML: ${document.errors[0].message}`);
      continue;
    }
    const object = document.toJS();
    if (!object) continue;
    const name = `${relative(root, file)}: ${object.kind}/${object.metadata?.name}`;
    const Model = await modelOf(String(object.apiVersion), String(object.kind));
    if (!Model) {
      problems++;
      console.log(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`${name}: valid`);
    } catch (error) {
      problems++;
      console.log(`${name}: INVALID ${error.message}`);
    }
  }
}
process.exit(problems > 0 ? 1 : 0);
