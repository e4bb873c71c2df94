import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_CHANNELS, CaseResolved, Channel } from '@caseline/case-contracts';
import { checkTimeZone, DateFormat, dateFormat } from './local-time';

export type Resolution = CaseResolved['data']['resolution'];
const RESOLUTIONS: readonly Resolution[] = ['fixed', 'not-ours', 'duplicate', 'no-action-possible', 'answered-at-first-contact'];

/**
 * How one legacy system's CSV export becomes case events (config/imports/<source>.json). Every
 * string naming a column is a header of the export, as written there.
 */
export interface ImportMapping {
  /** What the export is, for the report. */
  description: string;
  /** id: the request's key in the legacy system (case ids derive from it); reference: shown to people, upper-cased. */
  record: { id: string; reference: string };
  times: {
    /** The IANA zone the legacy system wrote wall-clock times in. */
    timeZone: string;
    /** See DateFormat: e.g. "MM/DD/YYYY hh:mm:ss AM". */
    format: string;
    created: string;
    closed?: string;
    due?: string;
    /** A row without a due date is due this many calendar days after it was created (CaseRouted requires a deadline). */
    defaultDueDays: number;
  };
  /** type: the request type (serviceName as written; serviceCode its slug); description: columns joined with ": ". */
  service: { type: string; description: string[] };
  /** Columns of the agency's code (slugged) and name; names: a name by code, over the column's (which may name a unit). */
  department: { code: string; name: string; names?: Record<string, string> };
  /** The column's values (case-insensitively) as our channels; any other value is `otherwise`. */
  channel: { column: string; values: Record<string, Channel>; otherwise: Channel };
  /** closed: the status values that mean closed, and how (CaseResolved's resolution); note: a column for the resolution's note. */
  status: { column: string; closed: Record<string, Resolution>; note?: string };
  /**
   * The area the legacy system put the request in (CaseRouted's areas[layer]). The first rule whose
   * regular expression matches the value gives its id and name from templates: {group} a named
   * group, {group|int} without leading zeros, {group.field} a field of lookups[group][value].
   */
  area?: {
    column: string;
    layer: string;
    lookups?: Record<string, Record<string, Record<string, string>>>;
    rules: { match: string; id: string; name: string }[];
  };
  /** A position outside `within` (e.g. the 39,-77 some exports write for "unknown") is taken as unknown. */
  position?: { latitude: string; longitude: string; within: { south: number; west: number; north: number; east: number } };
  /** orIntersection: when the column is empty, "A & B" of these two columns. */
  address?: { column: string; orIntersection?: [string, string] };
}

/** A mapping checked and ready: formats and expressions compiled. */
export interface CompiledMapping {
  file: string;
  mapping: ImportMapping;
  format: DateFormat;
  areaRules: { match: RegExp; id: string; name: string }[];
  /** Every column the mapping reads. */
  columns: string[];
}

export class MappingError extends Error {}

type Problems = string[];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A small structural checker: each function says what is wrong at a path, or returns the value typed. */
class Checker {
  readonly problems: Problems = [];

  object(value: unknown, path: string, required: string[], optional: string[] = []): Record<string, unknown> | undefined {
    if (!isObject(value)) {
      this.problems.push(`${path}: must be an object`);
      return undefined;
    }
    for (const key of required) if (!(key in value)) this.problems.push(`${path}.${key}: is missing`);
    for (const key of Object.keys(value)) if (!required.includes(key) && !optional.includes(key) && key !== '$comment') this.problems.push(`${path}.${key}: is not a setting (known: ${[...required, ...optional].join(', ')})`);
    return value;
  }

  string(value: unknown, path: string): value is string {
    if (typeof value === 'string' && value.trim() !== '') return true;
    this.problems.push(`${path}: must be a non-empty string`);
    return false;
  }

  number(value: unknown, path: string, min = -Infinity, max = Infinity): value is number {
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return true;
    this.problems.push(`${path}: must be a number${min > -Infinity ? ` from ${min}` : ''}${max < Infinity ? ` to ${max}` : ''}`);
    return false;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): value is T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
    this.problems.push(`${path}: must be one of ${allowed.join(', ')}`);
    return false;
  }

  map<T>(value: unknown, path: string, each: (entry: unknown, path: string) => entry is T): value is Record<string, T> {
    if (!isObject(value)) {
      this.problems.push(`${path}: must be an object`);
      return false;
    }
    return Object.entries(value).every(([key, entry]) => each(entry, `${path}["${key}"]`));
  }
}

const TEMPLATE_PART = /\{(\w+)(?:\.(\w+))?(\|int)?\}/g;

/** Checks the parsed JSON of a mapping; throws a MappingError listing every problem. */
export function compileMapping(json: unknown, file: string): CompiledMapping {
  const check = new Checker();
  const root = check.object(json, '$', ['description', 'record', 'times', 'service', 'department', 'channel', 'status'], ['area', 'position', 'address']);
  let format: DateFormat | undefined;
  const areaRules: CompiledMapping['areaRules'] = [];
  if (root) {
    check.string(root.description, '$.description');
    const record = check.object(root.record, '$.record', ['id', 'reference']);
    if (record) ['id', 'reference'].forEach((key) => check.string(record[key], `$.record.${key}`));

    const times = check.object(root.times, '$.times', ['timeZone', 'format', 'created', 'defaultDueDays'], ['closed', 'due']);
    if (times) {
      if (check.string(times.timeZone, '$.times.timeZone')) {
        try {
          checkTimeZone(times.timeZone);
        } catch {
          check.problems.push(`$.times.timeZone: "${times.timeZone}" is not a time zone this runtime knows (IANA names, e.g. America/New_York)`);
        }
      }
      if (check.string(times.format, '$.times.format')) {
        try {
          format = dateFormat(times.format);
        } catch (error) {
          check.problems.push(`$.times.format: ${(error as Error).message}`);
        }
      }
      check.string(times.created, '$.times.created');
      for (const key of ['closed', 'due']) if (key in times) check.string(times[key], `$.times.${key}`);
      check.number(times.defaultDueDays, '$.times.defaultDueDays', 0, 3660);
    }

    const service = check.object(root.service, '$.service', ['type', 'description']);
    if (service) {
      check.string(service.type, '$.service.type');
      if (!Array.isArray(service.description) || service.description.length === 0) check.problems.push('$.service.description: must be a list of columns');
      else service.description.forEach((column, index) => check.string(column, `$.service.description[${index}]`));
    }

    const department = check.object(root.department, '$.department', ['code', 'name'], ['names']);
    if (department) {
      check.string(department.code, '$.department.code');
      check.string(department.name, '$.department.name');
      if ('names' in department) check.map(department.names, '$.department.names', (value, path): value is string => check.string(value, path));
    }

    const channel = check.object(root.channel, '$.channel', ['column', 'values', 'otherwise']);
    if (channel) {
      check.string(channel.column, '$.channel.column');
      check.map(channel.values, '$.channel.values', (value, path): value is Channel => check.oneOf(value, path, ALL_CHANNELS));
      check.oneOf(channel.otherwise, '$.channel.otherwise', ALL_CHANNELS);
    }

    const status = check.object(root.status, '$.status', ['column', 'closed'], ['note']);
    if (status) {
      check.string(status.column, '$.status.column');
      check.map(status.closed, '$.status.closed', (value, path): value is Resolution => check.oneOf(value, path, RESOLUTIONS));
      if ('note' in status) check.string(status.note, '$.status.note');
    }

    if ('area' in root) {
      const area = check.object(root.area, '$.area', ['column', 'layer', 'rules'], ['lookups']);
      if (area) {
        check.string(area.column, '$.area.column');
        check.string(area.layer, '$.area.layer');
        const isField = (value: unknown, path: string): value is string => check.string(value, path);
        const isEntry = (entry: unknown, path: string): entry is Record<string, string> => check.map(entry, path, isField);
        const isTable = (table: unknown, path: string): table is Record<string, Record<string, string>> => check.map(table, path, isEntry);
        const lookups = 'lookups' in area && check.map(area.lookups, '$.area.lookups', isTable) ? area.lookups : {};
        if (!Array.isArray(area.rules) || area.rules.length === 0) check.problems.push('$.area.rules: must be a list of rules');
        else {
          area.rules.forEach((rule, index) => {
            const path = `$.area.rules[${index}]`;
            const checked = check.object(rule, path, ['match', 'id', 'name']);
            if (!checked || ![checked.match, checked.id, checked.name].every((value, i) => check.string(value, `${path}.${['match', 'id', 'name'][i]}`))) return;
            let match: RegExp;
            try {
              match = new RegExp(checked.match as string);
            } catch (error) {
              check.problems.push(`${path}.match: ${(error as Error).message}`);
              return;
            }
            const groups = new Set([...(checked.match as string).matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]));
            for (const key of ['id', 'name'] as const) {
              for (const [, group, field] of (checked[key] as string).matchAll(TEMPLATE_PART)) {
                if (!groups.has(group)) check.problems.push(`${path}.${key}: {${group}} is not a named group of match`);
                else if (field !== undefined && !lookups[group]) check.problems.push(`${path}.${key}: {${group}.${field}} needs lookups.${group}`);
              }
            }
            areaRules.push({ match, id: checked.id as string, name: checked.name as string });
          });
        }
      }
    }

    if ('position' in root) {
      const position = check.object(root.position, '$.position', ['latitude', 'longitude', 'within']);
      if (position) {
        check.string(position.latitude, '$.position.latitude');
        check.string(position.longitude, '$.position.longitude');
        const within = check.object(position.within, '$.position.within', ['south', 'west', 'north', 'east']);
        if (within) {
          const ok = [check.number(within.south, '$.position.within.south', -90, 90), check.number(within.north, '$.position.within.north', -90, 90), check.number(within.west, '$.position.within.west', -180, 180), check.number(within.east, '$.position.within.east', -180, 180)];
          if (ok.every(Boolean) && ((within.south as number) >= (within.north as number) || (within.west as number) >= (within.east as number))) check.problems.push('$.position.within: south must be below north and west below east');
        }
      }
    }

    if ('address' in root) {
      const address = check.object(root.address, '$.address', ['column'], ['orIntersection']);
      if (address) {
        check.string(address.column, '$.address.column');
        if ('orIntersection' in address && (!Array.isArray(address.orIntersection) || address.orIntersection.length !== 2 || !address.orIntersection.every((c, i) => check.string(c, `$.address.orIntersection[${i}]`)))) {
          check.problems.push('$.address.orIntersection: must be two columns');
        }
      }
    }
  }
  if (check.problems.length > 0 || !format) throw new MappingError(`${file}: not a valid import mapping:\n  ${check.problems.join('\n  ')}`);

  const mapping = json as ImportMapping;
  const columns = [
    mapping.record.id,
    mapping.record.reference,
    mapping.times.created,
    mapping.times.closed,
    mapping.times.due,
    mapping.service.type,
    ...mapping.service.description,
    mapping.department.code,
    mapping.department.name,
    mapping.channel.column,
    mapping.status.column,
    mapping.status.note,
    mapping.area?.column,
    mapping.position?.latitude,
    mapping.position?.longitude,
    mapping.address?.column,
    ...(mapping.address?.orIntersection ?? []),
  ].filter((column): column is string => column !== undefined);
  return { file, mapping, format, areaRules, columns: [...new Set(columns)] };
}

/** Where mappings are: IMPORT_MAPPINGS_DIR, else config/imports of the working directory (the repository, for npm run ops). */
export const importMappingsDir = (): string => process.env.IMPORT_MAPPINGS_DIR ?? resolve(process.cwd(), 'config/imports');

/** Reads and checks a mapping file; a MappingError says what is wrong (or that it cannot be read). */
export function loadMapping(file: string): CompiledMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MappingError(`Cannot read the import mapping ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MappingError(`${file}: not JSON: ${(error as Error).message}`);
  }
  return compileMapping(json, file);
}
