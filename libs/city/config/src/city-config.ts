import { defineService, ServiceDefinition, ServiceDefinitionInput, validateCatalog } from '@caseline/catalog-domain';
import { BusinessCalendar, validateCalendar } from '@caseline/city-calendar';
import { Rule } from '@caseline/routing-domain';
import { existsSync, readFileSync } from 'node:fs';
import { Boundary, validateBoundary } from './boundary';
import { join, resolve } from 'node:path';

/** The catalog's own type; the old name stays for code written before the catalog library. */
export type ServiceType = ServiceDefinition;

/**
 * A department's own work-order system: which adapter speaks to it and that adapter's settings (the
 * department adapter checks them at start, naming any wrong one).
 */
export type DepartmentSystem = { adapter: string; name: string } & Record<string, unknown>;

export interface Department {
  code: string;
  name: string;
  /** The department's own work-order system; none means the built-in queue. */
  system?: DepartmentSystem;
  /** Where the department works differently from the city's calendar (e.g. 24×7 for emergencies). */
  calendar?: Partial<BusinessCalendar>;
  /** Who hears of its cases: the queue's mailbox (deadline reminders) and the supervisor's (escalations; the queue's when absent). */
  contact?: { email?: string; supervisorEmail?: string };
}

/** A portal or partner system (its Open311 API key's name) that hears of its cases by signed webhook. */
export interface Partner {
  name: string;
  webhookUrl: string;
  /** Environment variable that overrides webhookUrl in a deployment. */
  webhookUrlEnv?: string;
  /** Environment variable with the secret the webhook is signed with (default <NAME>_WEBHOOK_SECRET, name upper-cased, - as _). */
  secretEnv?: string;
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
  /** The city's working time: deadlines count in it unless a department has its own. */
  calendar: Omit<BusinessCalendar, 'timeZone'>;
  /** When no text message goes out (wall-clock): e.g. { "start": "21:00", "end": "08:00" }; checked by the notification service. */
  smsQuietHours?: { start: string; end: string };
  /** Council members' daily digest of new and overdue cases in their district, sent at this wall-clock time ("07:00"); absent: none. */
  councilDigest?: { at: string };
}

export interface CityConfig {
  city: City;
  /** The city limits from boundary.geojson; located requests outside them are refused. */
  boundary?: Boundary;
  services: ServiceDefinition[];
  departments: Department[];
  /** From partners.json, when the city has one. */
  partners: Partner[];
  /** As the file holds it: the routing service validates it against the catalog and the areas, naming lines. */
  routing: RoutingRuleSet;
  /** Where the routing rules were read from, for error messages. */
  routingFile: string;
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
  const catalogProblems = validateCatalog(config.services);
  if (catalogProblems.length > 0) throw new Error(`The service catalog has ${catalogProblems.length} problem(s):\n${catalogProblems.map((p) => `- ${p.message}`).join('\n')}`);
  // Departments' calendars (the routing rules are checked by the routing service, against the catalog and the areas).
  const calendarProblems = [
    ...validateCalendar({ ...config.city.calendar, timeZone: config.city.timeZone }, 'city.json: calendar'),
    ...config.departments.flatMap((department) => validateCalendar(calendarOf(config, department.code), `departments.json: department ${department.code}: calendar`)),
  ];
  if (calendarProblems.length > 0) throw new Error(`The city's calendars have ${calendarProblems.length} problem(s):\n${calendarProblems.map((p) => `- ${p}`).join('\n')}`);
  const contactProblems = [
    ...config.departments.flatMap(({ code, contact }) =>
      Object.entries(contact ?? {})
        .filter(([, email]) => typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        .map(([field]) => `departments.json: department ${code}: contact.${field} must be an email address`),
    ),
    ...config.partners.flatMap(({ name, webhookUrl }, i) => [
      ...(typeof name === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(name) ? [] : [`partners.json: partners[${i}].name must be the API key's name (a-z, 0-9, -)`]),
      ...(typeof webhookUrl === 'string' && /^https?:\/\/[^\s/]+/.test(webhookUrl) ? [] : [`partners.json: partner ${name}: webhookUrl must be an http(s) URL`]),
    ]),
  ];
  if (contactProblems.length > 0) throw new Error(`The city's contacts have ${contactProblems.length} problem(s):\n${contactProblems.map((p) => `- ${p}`).join('\n')}`);
  return config;
}

/** Where the city's configuration files are: CITY_CONFIG_DIR, by default the demo city. */
export const cityConfigDir = (): string => process.env.CITY_CONFIG_DIR ?? resolve(process.cwd(), 'config/demo-city');

/** The city: catalog, departments and routing rules, from its configuration directory. */
export function loadCityConfig(dir = cityConfigDir()): CityConfig {
  return validateCityConfig({
    city: readJson<City>(dir, 'city.json'),
    boundary: existsSync(join(dir, 'boundary.geojson')) ? validateBoundary(readJson(dir, 'boundary.geojson')) : undefined,
    services: readJson<{ services: ServiceDefinitionInput[] }>(dir, 'catalog.json').services.map(defineService),
    departments: readJson<{ departments: Department[] }>(dir, 'departments.json').departments,
    partners: existsSync(join(dir, 'partners.json')) ? readJson<{ partners: Partner[] }>(dir, 'partners.json').partners : [],
    routing: readJson<RoutingRuleSet>(dir, 'routing-rules.json'),
    routingFile: join(dir, 'routing-rules.json'),
  });
}

/** The business calendar a department's deadlines count in: the city's, with the department's own changes. */
export function calendarOf(config: Pick<CityConfig, 'city' | 'departments'>, department: string): BusinessCalendar {
  const own = config.departments.find((d) => d.code === department)?.calendar ?? {};
  return { timeZone: config.city.timeZone, ...config.city.calendar, ...own };
}

