import type { CaseStatus } from '@caseline/case-domain';

/** What staff search cases by (GET /v1/cases); every part optional, all of them must match. */
export interface CaseFilter {
  statuses?: CaseStatus[];
  serviceCode?: string;
  department?: string;
  /** Only cases of these departments (department staff's scope). */
  departments?: string[];
  /** Reported at or after (inclusive). */
  reportedFrom?: Date;
  /** Reported before (exclusive). */
  reportedTo?: Date;
  bbox?: BoundingBox;
  /** Words that must all start a word of the description (e.g. "street" finds "streetlight"). */
  words?: string[];
  /**
   * The reporter's email or phone, as the index can find it: a keyed hash of the clear contact of
   * schema 1 events, and the blind index of sealed reporters (privacy.resident_identifiers).
   */
  reporterEmail?: { hash: Buffer; blindIndex: Buffer };
  reporterPhone?: { hash: Buffer; blindIndex: Buffer };
  limit: number;
  after?: CursorPosition;
}

export const CASE_STATUSES: readonly CaseStatus[] = ['received', 'assigned', 'scheduled', 'in_progress', 'resolved', 'cancelled'];

export const SEARCH_LIMIT = { default: 20, max: 100 } as const;

/** A comma-separated list of statuses, or undefined when any part is not a status. */
export function parseStatuses(text: string): CaseStatus[] | undefined {
  const statuses = text.split(',').map((status) => status.trim());
  return statuses.every((status): status is CaseStatus => (CASE_STATUSES as readonly string[]).includes(status)) ? statuses : undefined;
}

export interface BoundingBox {
  minLong: number;
  minLat: number;
  maxLong: number;
  maxLat: number;
}

/** `minLong,minLat,maxLong,maxLat` (the GeoJSON order), or undefined. A box across the antimeridian is not supported. */
export function parseBoundingBox(text: string): BoundingBox | undefined {
  const parts = text.split(',');
  if (parts.length !== 4 || parts.some((part) => part.trim() === '')) return undefined;
  const [minLong, minLat, maxLong, maxLat] = parts.map(Number);
  const valid =
    [minLong, minLat, maxLong, maxLat].every(Number.isFinite) &&
    minLong >= -180 && maxLong <= 180 && minLat >= -90 && maxLat <= 90 && minLong <= maxLong && minLat <= maxLat;
  return valid ? { minLong, minLat, maxLong, maxLat } : undefined;
}

/** The words of a free-text query (letters and digits, lowercased), at most 10. */
export const searchWords = (text: string): string[] => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10);

/** Where a page ended: the last row's sort key (newest first: reported_at, then case id). */
export interface CursorPosition {
  reportedAt: string;
  caseId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: they pass back `next` as it is. */
export const encodeCursor = (position: CursorPosition): string => Buffer.from(JSON.stringify([position.reportedAt, position.caseId])).toString('base64url');

/** The position a cursor of ours encodes, or undefined for anything else. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [reportedAt, caseId] = parsed as unknown[];
    if (typeof reportedAt !== 'string' || typeof caseId !== 'string' || !UUID.test(caseId)) return undefined;
    const at = new Date(reportedAt);
    return !Number.isNaN(at.getTime()) && at.toISOString() === reportedAt ? { reportedAt, caseId } : undefined;
  } catch {
    return undefined;
  }
}


