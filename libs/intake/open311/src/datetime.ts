import { utcOffsetMinutes } from '@caseline/city-calendar';
import type { W3cDateTime } from './model';

// The spec's datetimes are the W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime) and
// must carry a time zone: `Z` or an offset.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The instant as the wall-clock time of the given IANA zone with that zone's offset at that instant,
 * e.g. `2010-04-14T06:37:38-08:00`. Fractional seconds are dropped.
 */
export function w3cDateTime(date: Date, timeZone: string): W3cDateTime {
  const instant = Math.floor(date.getTime() / 1000) * 1000;
  if (!Number.isFinite(instant)) throw new RangeError('Invalid date');
  const offset = utcOffsetMinutes(instant, timeZone);
  const local = new Date(instant + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  ) as W3cDateTime;
}

// YYYY-MM-DDThh:mm[:ss[.s+]] then Z or an offset as ±hh:mm, ±hhmm or ±hh. A space stands for `+`:
// clients often put `+01:00` in a query string unencoded, and form decoding turns it into a space.
const W3C = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:(Z)|([+\- ])(\d{2})(?::?(\d{2}))?)$/i;
const DATE_ONLY = /^\d{4}(-\d{2}(-\d{2})?)?$|^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i;

/**
 * Parses a W3C datetime as clients send it: `2010-01-01T00:00:00Z`, `...-05:00`, `...-0500`, with or
 * without seconds and fractions. Throws a RangeError whose message can be shown to the client for
 * anything else, in particular for a datetime without a time zone, which would be ambiguous.
 */
export function parseW3cDateTime(text: string): Date {
  const value = text.trim();
  const match = W3C.exec(value);
  if (!match) {
    throw new RangeError(
      DATE_ONLY.test(value)
        ? `'${text}' has no time zone; send e.g. 2010-01-01T00:00:00Z or 2010-01-01T00:00:00-05:00`
        : `'${text}' is not a W3C datetime such as 2010-01-01T00:00:00Z`,
    );
  }
  const [, year, month, day, hour, minute, second = '0', fraction = '', zulu, sign, offsetHours, offsetMins = '0'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5] ||
    Number(offsetHours ?? 0) > 23 ||
    Number(offsetMins) > 59
  ) {
    throw new RangeError(`'${text}' is not a valid date and time`);
  }
  const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMins));
  return new Date(utc - offset * 60_000 + Math.floor(Number(`0${fraction}`) * 1000));
}
