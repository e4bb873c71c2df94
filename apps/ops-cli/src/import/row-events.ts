import { createHash } from 'node:crypto';
import { CASE_EVENT_SCHEMA_VERSION, CaseAreas, CaseReported, CaseResolved, CaseRouted, Channel, EventMetadata, Location } from '@caseline/case-contracts';
import type { NewEvent } from '@caseline/event-store';
import type { CsvRecord } from './csv';
import { addDays, LocalDateTime, zonedTimeToUtc } from './local-time';
import type { CompiledMapping } from './mapping';

/**
 * A name-based UUID (RFC 4122 version 5 layout: SHA-1 of the name, version and variant bits set):
 * the same name always gives the same id, so importing a file again finds what it imported before.
 */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the case a legacy request becomes; its events' are this name with ":1", ":2", ":3". */
export const importedCaseName = (source: string, legacyId: string): string => `caseline-import:${source}:${legacyId}`;

/** A readable, stable code: upper case, every run of other characters than letters and digits one '-'. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Why a row is not imported. */
export type RejectionReason = 'malformed-row' | 'missing-id' | 'duplicate-id' | 'missing-type' | 'missing-department' | 'missing-created' | 'bad-date' | 'closed-before-created';

export const REJECTION_LABELS: Record<RejectionReason, string> = {
  'malformed-row': 'malformed CSV row',
  'missing-id': 'no legacy id',
  'duplicate-id': 'legacy id repeated in the file',
  'missing-type': 'no request type',
  'missing-department': 'no agency',
  'missing-created': 'no created time',
  'bad-date': 'a time that is not a date',
  'closed-before-created': 'closed before it was created',
};

/** Something the report counts about rows that were imported all the same. */
export type NoteKind =
  | 'no-due-date'
  | 'position-outside'
  | 'no-position'
  | 'no-area'
  | 'area-not-recognized'
  | 'channel-not-mapped'
  | 'closed-without-time'
  | 'closed-time-but-open'
  | 'time-skipped'
  | 'time-repeated';

export interface Note {
  kind: NoteKind;
  /** The value it is about, when there is one (counted per value). */
  value?: string;
}

export interface ImportedCase {
  legacyId: string;
  caseId: string;
  events: NewEvent[];
}

export type RowOutcome =
  | { imported: ImportedCase; notes: Note[] }
  | { rejected: { reason: RejectionReason; detail: string; legacyId?: string } };

class Rejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const metadataBase = (source: string) => ({ actor: { kind: 'service' as const, id: 'importer', name: `Historical import (${source})` } });

/**
 * Turns the rows of one export into the events of one case each: CaseReported, CaseRouted (as the
 * legacy system routed it) and, when it was closed, CaseResolved — each at the time the legacy
 * system recorded, with metadata.importedFrom. Reads the header once; remembers the ids it saw, so
 * that a legacy id repeated in the file is imported once (from its first row).
 */
export class RowMapper {
  private readonly index = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private readonly channels: Map<string, Channel>;
  private readonly closed: Map<string, CaseResolved['data']['resolution']>;
  private readonly columns: number;

  constructor(
    private readonly source: string,
    private readonly compiled: CompiledMapping,
    header: string[],
  ) {
    header.forEach((name, position) => {
      if (!this.index.has(name.trim())) this.index.set(name.trim(), position);
    });
    this.columns = header.length;
    const missing = compiled.columns.filter((column) => !this.index.has(column));
    if (missing.length > 0) throw new Error(`the file's header has no column ${missing.map((c) => `"${c}"`).join(', ')} (mapping ${compiled.file})`);
    const { mapping } = compiled;
    this.channels = new Map(Object.entries(mapping.channel.values).map(([value, channel]) => [value.trim().toLowerCase(), channel]));
    this.closed = new Map(Object.entries(mapping.status.closed).map(([value, resolution]) => [value.trim().toLowerCase(), resolution]));
  }

  map(record: CsvRecord): RowOutcome {
    // A row that is not well-formed has no id to trust: its fields may be shifted.
    const legacyId = record.problem || record.fields.length !== this.columns ? undefined : this.value(record, this.compiled.mapping.record.id);
    try {
      return this.mapRow(record);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      return { rejected: { reason: error.reason, detail: error.detail, legacyId: legacyId || undefined } };
    }
  }

  private value(record: CsvRecord, column: string | undefined): string {
    return column === undefined ? '' : (record.fields[this.index.get(column)!] ?? '').trim();
  }

  private mapRow(record: CsvRecord): RowOutcome {
    const { mapping, format } = this.compiled;
    if (record.problem) throw new Rejected('malformed-row', record.problem);
    if (record.fields.length !== this.columns) throw new Rejected('malformed-row', `has ${record.fields.length} fields, the header ${this.columns}`);
    const get = (column: string | undefined) => this.value(record, column);

    const legacyId = get(mapping.record.id);
    if (!legacyId) throw new Rejected('missing-id', `${mapping.record.id} is empty`);
    const firstLine = this.seen.get(legacyId);
    if (firstLine !== undefined) throw new Rejected('duplicate-id', `${mapping.record.id} ${legacyId} is also on line ${firstLine} (only that row is imported)`);
    this.seen.set(legacyId, record.line);

    const type = get(mapping.service.type);
    if (!slug(type)) throw new Rejected('missing-type', type ? `${mapping.service.type} "${type}" has no letters or digits` : `${mapping.service.type} is empty`);
    const agencyCode = get(mapping.department.code);
    if (!slug(agencyCode)) throw new Rejected('missing-department', `${mapping.department.code} is empty`);

    const notes: Note[] = [];
    const time = (column: string | undefined): { local: LocalDateTime; epochMs: number; text: string } | undefined => {
      const text = get(column);
      if (!text || column === undefined) return undefined;
      const local = format.parse(text);
      if (!local) throw new Rejected('bad-date', `${column} "${text}" is not a date (${format.pattern})`);
      const { epochMs, shift } = zonedTimeToUtc(local, mapping.times.timeZone);
      if (shift) notes.push({ kind: shift === 'skipped' ? 'time-skipped' : 'time-repeated', value: `${column} ${text}` });
      return { local, epochMs, text };
    };
    if (!get(mapping.times.created)) throw new Rejected('missing-created', `${mapping.times.created} is empty`);
    const created = time(mapping.times.created)!;
    const closed = time(mapping.times.closed);
    const due = time(mapping.times.due);
    if (closed && closed.epochMs < created.epochMs) {
      throw new Rejected('closed-before-created', `${mapping.times.closed} ${closed.text} is before ${mapping.times.created} ${created.text}`);
    }

    const caseName = importedCaseName(this.source, legacyId);
    const caseId = nameBasedUuid(caseName);
    const metadata = (epochMs: number, channel: Channel): EventMetadata => ({
      ...metadataBase(this.source),
      channel,
      at: new Date(epochMs).toISOString(),
      correlationId: caseId,
      importedFrom: { source: this.source, record: legacyId },
    });

    const rawChannel = get(mapping.channel.column);
    let channel = this.channels.get(rawChannel.toLowerCase());
    if (!channel) {
      channel = mapping.channel.otherwise;
      notes.push({ kind: 'channel-not-mapped', value: rawChannel });
    }
    const description = [...new Set(mapping.service.description.map(get).filter(Boolean))].join(': ');
    const reported: CaseReported['data'] = {
      reference: (get(mapping.record.reference) || legacyId).toUpperCase(),
      serviceCode: slug(type),
      serviceName: type,
      description: description || type,
      location: this.location(record, notes),
      channel,
    };

    let dueAt = due?.epochMs;
    let reason: string | undefined;
    if (dueAt === undefined) {
      dueAt = zonedTimeToUtc(addDays(created.local, mapping.times.defaultDueDays), mapping.times.timeZone).epochMs;
      reason = `no due date in the legacy system: due ${mapping.times.defaultDueDays} days after the report`;
      notes.push({ kind: 'no-due-date' });
    }
    const areas = this.areas(get(mapping.area?.column), notes);
    const routed: CaseRouted['data'] = {
      department: slug(agencyCode),
      departmentName: mapping.department.names?.[agencyCode] ?? (get(mapping.department.name) || agencyCode),
      priority: 'normal',
      dueAt: new Date(dueAt).toISOString(),
      decidedBy: 'import',
      ...(reason ? { reason } : {}),
      matched: {},
      ...(areas ? { areas } : {}),
    };

    const events: NewEvent[] = [
      { eventId: nameBasedUuid(`${caseName}:1`), type: 'CaseReported', schemaVersion: CASE_EVENT_SCHEMA_VERSION.CaseReported, data: reported, metadata: metadata(created.epochMs, channel) },
      { eventId: nameBasedUuid(`${caseName}:2`), type: 'CaseRouted', schemaVersion: CASE_EVENT_SCHEMA_VERSION.CaseRouted, data: routed, metadata: metadata(created.epochMs, 'system') },
    ];
    const status = get(mapping.status.column);
    const resolution = this.closed.get(status.toLowerCase());
    if (resolution && closed) {
      const note = get(mapping.status.note);
      const resolved: CaseResolved['data'] = { resolution, ...(note ? { note } : {}) };
      events.push({ eventId: nameBasedUuid(`${caseName}:3`), type: 'CaseResolved', schemaVersion: CASE_EVENT_SCHEMA_VERSION.CaseResolved, data: resolved, metadata: metadata(closed.epochMs, 'system') });
    } else if (resolution) {
      notes.push({ kind: 'closed-without-time', value: status });
    } else if (closed) {
      notes.push({ kind: 'closed-time-but-open', value: status });
    }
    return { imported: { legacyId, caseId, events }, notes };
  }

  private location(record: CsvRecord, notes: Note[]): Location {
    const { position, address: addressMapping } = this.compiled.mapping;
    const get = (column: string) => this.value(record, column);
    let address = addressMapping ? get(addressMapping.column) : '';
    if (!address && addressMapping?.orIntersection) {
      const [first, second] = addressMapping.orIntersection.map(get);
      if (first && second) address = `${first} & ${second}`;
    }
    address = address.replace(/\s+/g, ' ');
    const withAddress = address ? { address } : {};
    if (!position) return withAddress;
    const latText = get(position.latitude);
    const longText = get(position.longitude);
    const lat = Number(latText);
    const long = Number(longText);
    if (!latText || !longText || !Number.isFinite(lat) || !Number.isFinite(long)) {
      notes.push({ kind: 'no-position' });
      return withAddress;
    }
    const { south, west, north, east } = position.within;
    if (lat < south || lat > north || long < west || long > east) {
      notes.push({ kind: 'position-outside', value: `${latText},${longText}` });
      return withAddress;
    }
    return { lat, long, ...withAddress };
  }

  private areas(value: string, notes: Note[]): CaseAreas | undefined {
    const area = this.compiled.mapping.area;
    if (!area) return undefined;
    if (!value) {
      notes.push({ kind: 'no-area' });
      return undefined;
    }
    for (const rule of this.compiled.areaRules) {
      const groups = rule.match.exec(value)?.groups;
      if (!groups) continue;
      const render = (template: string) => {
        let complete = true;
        const text = template.replace(/\{(\w+)(?:\.(\w+))?(\|int)?\}/g, (_whole, group: string, field: string | undefined, int: string | undefined) => {
          const raw = groups[group] ?? '';
          const part = field === undefined ? raw : area.lookups?.[group]?.[raw]?.[field];
          if (part === undefined) complete = false;
          return int && part !== undefined && /^\d+$/.test(part) ? String(Number(part)) : (part ?? '');
        });
        return complete ? text : undefined;
      };
      const id = render(rule.id);
      const name = render(rule.name);
      if (id && name) return { [area.layer]: { id, name } };
    }
    notes.push({ kind: 'area-not-recognized', value });
    return undefined;
  }
}
