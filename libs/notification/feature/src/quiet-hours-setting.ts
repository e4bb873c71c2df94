import type { CityConfig } from '@caseline/city-config';
import { QuietHours, validateQuietHours } from '@caseline/notification-domain';

/**
 * The city's SMS quiet hours: city.json's smsQuietHours, unless SMS_QUIET_HOURS says otherwise
 * ("21:00-08:00", or "off" — e.g. during an emergency, or in tests). Invalid: the service does not start.
 */
export function smsQuietHours(city: CityConfig['city']): QuietHours | undefined {
  const override = process.env.SMS_QUIET_HOURS?.trim();
  if (override === 'off') return undefined;
  const [start, end] = override ? override.split('-') : [];
  const quiet = override ? { start, end } : city.smsQuietHours;
  if (!quiet) return undefined;
  const problems = validateQuietHours(quiet, override ? 'SMS_QUIET_HOURS' : 'city.json: smsQuietHours');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return quiet;
}
