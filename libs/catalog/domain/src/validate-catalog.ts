import { Attribute, attributeDatatypes, isChannel, isListDatatype, isPublicChannel, ServiceDefinition } from './service-definition';

export type CatalogRule =
  | 'codeFormat'
  | 'uniqueCode'
  | 'name'
  | 'group'
  | 'channels'
  | 'knownDatatype'
  | 'question'
  | 'requiredNeedsAnswer'
  | 'orderNumber'
  | 'uniqueOrder'
  | 'listValues'
  | 'valuesOnlyForLists'
  | 'valueKeyAndName'
  | 'uniqueValueKey';

/** One thing wrong with the catalog; `path` says where, e.g. `POTHOLE.attributes.SIZE`. */
export interface CatalogProblem {
  path: string;
  rule: CatalogRule;
  message: string;
}

// Codes travel in URLs and in Open311 form names (`attribute[CODE]`), so no spaces or brackets.
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const blank = (text: string | undefined) => !text?.trim();

/** The items that appear more than once, each once. */
const duplicates = <T>(items: T[]): T[] => [...new Set(items.filter((item, index) => items.indexOf(item) !== index))];

function channelProblems(service: ServiceDefinition, path: string): CatalogProblem[] {
  if (!service.channels) return [];
  const problem = (message: string): CatalogProblem => ({ path: `${path}.channels`, rule: 'channels', message: `${service.code}: ${message}` });
  const unknown = service.channels.filter((channel) => !isChannel(channel));
  if (unknown.length > 0) return [problem(`unknown channel(s) ${unknown.join(', ')}`)];
  if (service.channels.length === 0) return [problem('an empty channel list lets nobody request it; leave channels out to allow every channel')];
  if (service.staffOnly && service.channels.every(isPublicChannel)) {
    return [problem(`it is staff-only but allows only public channels (${service.channels.join(', ')}), so nobody can request it`)];
  }
  return [];
}

function valueProblems(attribute: Attribute, path: string, where: string): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const listed = isListDatatype(attribute.datatype);
  if (listed && attribute.values.length === 0) {
    problems.push({ path: `${path}.values`, rule: 'listValues', message: `${where} is a ${attribute.datatype} without values to choose from` });
  }
  if (!listed && attribute.values.length > 0) {
    problems.push({ path: `${path}.values`, rule: 'valuesOnlyForLists', message: `${where} is a ${attribute.datatype}; only list datatypes have values` });
  }
  if (attribute.values.some((value) => blank(value.key) || blank(value.name))) {
    problems.push({ path: `${path}.values`, rule: 'valueKeyAndName', message: `${where} has a value without a key or a name` });
  }
  for (const key of duplicates(attribute.values.map((value) => value.key))) {
    problems.push({ path: `${path}.values`, rule: 'uniqueValueKey', message: `${where} has the value key "${key}" more than once` });
  }
  return problems;
}

function attributeProblems(attribute: Attribute, servicePath: string): CatalogProblem[] {
  const path = `${servicePath}.attributes.${attribute.code}`;
  const where = `${servicePath} attribute ${attribute.code}`;
  const problems: CatalogProblem[] = [];
  if (!CODE.test(attribute.code ?? '')) {
    problems.push({ path, rule: 'codeFormat', message: `${where}: a code needs letters or digits, then only letters, digits, ".", "_" or "-"` });
  }
  if (!attributeDatatypes.includes(attribute.datatype)) {
    problems.push({ path: `${path}.datatype`, rule: 'knownDatatype', message: `${where} has datatype "${attribute.datatype}"; it must be one of ${attributeDatatypes.join(', ')}` });
    return problems; // the value rules depend on the datatype
  }
  if (blank(attribute.description)) {
    problems.push({ path: `${path}.description`, rule: 'question', message: `${where} has no description: it is the question people are asked` });
  }
  if (attribute.required && !attribute.variable) {
    problems.push({ path: `${path}.required`, rule: 'requiredNeedsAnswer', message: `${where} is required but not variable, so it can never be answered` });
  }
  if (!Number.isInteger(attribute.order) || attribute.order < 1) {
    problems.push({ path: `${path}.order`, rule: 'orderNumber', message: `${where} has order ${attribute.order}; it must be a whole number from 1` });
  }
  return [...problems, ...valueProblems(attribute, path, where)];
}

function serviceProblems(service: ServiceDefinition, index: number): CatalogProblem[] {
  const path = CODE.test(service.code ?? '') ? service.code : `services[${index}]`;
  const problems: CatalogProblem[] = [];
  if (path !== service.code) {
    problems.push({ path, rule: 'codeFormat', message: `Service ${index + 1} has code "${service.code ?? ''}"; a code needs letters or digits, then only letters, digits, ".", "_" or "-"` });
  }
  if (blank(service.name)) problems.push({ path: `${path}.name`, rule: 'name', message: `${path} has no name` });
  if (blank(service.group)) problems.push({ path: `${path}.group`, rule: 'group', message: `${path} has no group` });
  problems.push(...channelProblems(service, path));

  const attributes = service.attributes ?? [];
  for (const code of duplicates(attributes.map((attribute) => attribute.code))) {
    problems.push({ path: `${path}.attributes.${code}`, rule: 'uniqueCode', message: `${path} has attribute code ${code} more than once` });
  }
  for (const order of duplicates(attributes.map((attribute) => attribute.order))) {
    const sharing = attributes.filter((attribute) => attribute.order === order).map((attribute) => attribute.code);
    problems.push({ path: `${path}.attributes`, rule: 'uniqueOrder', message: `${path}: attributes ${sharing.join(', ')} share order ${order}; each needs its own place` });
  }
  return [...problems, ...attributes.flatMap((attribute) => attributeProblems(attribute, path))];
}

/** Everything wrong with a catalog, each with its reason; empty when it is fit to serve. */
export function validateCatalog(services: ServiceDefinition[]): CatalogProblem[] {
  const problems = services.flatMap(serviceProblems);
  for (const code of duplicates(services.map((service) => service.code))) {
    problems.push({ path: code, rule: 'uniqueCode', message: `Service code ${code} appears ${services.filter((s) => s.code === code).length} times` });
  }
  return problems;
}
