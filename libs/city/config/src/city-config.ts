import { defineService, ServiceDefinition, ServiceDefinitionInput, validateCatalog } from '@caseline/catalog-domain';
import type { Rule } from '@caseline/routing-domain';
import { existsSync, readFileSync } from 'node:fs';
import { Boundary, validateBoundary } from './boundary';
import { join, resolve } from 'node:path';

/** The catalog's own type; the old name stays for code written before the catalog library. */
export type ServiceType = ServiceDefinition;

export interface DepartmentSystem {
  adapter: 'rest';
  name: string;
  baseUrl: string;
  /** Environment variable that overrides baseUrl in a deployment. */
  baseUrlEnv?: string;
}

export interface Department {
  code: string;
  name: string;
  /** The department's own work-order system; none means the built-in queue. */
  system?: DepartmentSystem;
}

/** Routing rules are the routing context's own type; the city's file just holds them. */
export type RoutingRule = Rule;

export interface RoutingRuleSet {
  version: number;
  rules: RoutingRule[];
}

/** The city itself: who it is for Open311 clients, and the clock its deadlines and dates follow. */
export interface City {
  name: string;
  /** Open311 jurisdiction_id (conventionally the city's domain name). */
  jurisdictionId: string;
  /** IANA time zone of dates shown to people, e.g. America/New_York. */
  timeZone: string;
  contact: string;
  keyService: string;
}

export interface CityConfig {
  city: City;
  /** The city limits from boundary.geojson; located requests outside them are refused. */
  boundary?: Boundary;
  services: ServiceDefinition[];
  departments: Department[];
  routing: RoutingRuleSet;
}

const readJson = <T>(dir: string, file: string): T => {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  } catch (error) {
    throw new Error(`City configuration ${join(dir, file)} could not be read: ${(error as Error).message}`);
  }
};

/** Checks references between the files so a bad configuration fails at start, with the reason. */
export function validateCityConfig(config: CityConfig): CityConfig {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.city.timeZone });
  } catch {
    throw new Error(`city.json: timeZone "${config.city.timeZone}" is not an IANA time zone`);
  }
  const problems = validateCatalog(config.services);
  if (problems.length > 0) throw new Error(`The service catalog has ${problems.length} problem(s):\n${problems.map((p) => `- ${p.message}`).join('\n')}`);
  const departments = new Set(config.departments.map((d) => d.code));
  const codes = new Set(config.services.map((s) => s.code));
  for (const rule of config.routing.rules) {
    if (!departments.has(rule.department)) throw new Error(`Routing rule ${rule.id} names unknown department ${rule.department}`);
    for (const code of rule.match.serviceCodes ?? []) if (!codes.has(code)) throw new Error(`Routing rule ${rule.id} names unknown service ${code}`);
  }
  return config;
}

/** The city: catalog, departments and routing rules, from CITY_CONFIG_DIR (default: the demo city). */
export function loadCityConfig(dir = process.env.CITY_CONFIG_DIR ?? resolve(process.cwd(), 'config/demo-city')): CityConfig {
  return validateCityConfig({
    city: readJson<City>(dir, 'city.json'),
    boundary: existsSync(join(dir, 'boundary.geojson')) ? validateBoundary(readJson(dir, 'boundary.geojson')) : undefined,
    services: readJson<{ services: ServiceDefinitionInput[] }>(dir, 'catalog.json').services.map(defineService),
    departments: readJson<{ departments: Department[] }>(dir, 'departments.json').departments,
    routing: readJson<RoutingRuleSet>(dir, 'routing-rules.json'),
  });
}

export const departmentSystemUrl = (system: DepartmentSystem): string => (system.baseUrlEnv && process.env[system.baseUrlEnv]) || system.baseUrl;
