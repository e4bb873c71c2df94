import { createHmac } from 'node:crypto';
import { secret } from './config';

/** One email address a person can be reached at (no lists, no display names). */
export const EMAIL_ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;

/** Emails compare without case or surrounding spaces. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** Phones compare by their digits only: "+1 (212) 555-0199" and "1-212-555-0199" are the same number. */
export const normalizePhone = (phone: string): string => phone.replace(/\D/g, '');

/**
 * A phone number as SMS providers want it (E.164, e.g. +12125550199), or undefined when it cannot be
 * one: digits with the usual separators, at most one leading +; a number without a country code is
 * taken in the city's (SMS_COUNTRY_CODE, default 1: North America, where it must have 10 digits).
 */
export function toE164(phone: string, countryCode = process.env.SMS_COUNTRY_CODE ?? '1'): string | undefined {
  if (!/^\+?[\d\s().-]+$/.test(phone.trim())) return undefined;
  const digits = normalizePhone(phone);
  const international = phone.trim().startsWith('+') || (countryCode === '1' && digits.length === 11 && digits.startsWith('1'));
  const full = international ? digits : `${countryCode}${digits}`;
  if (full.startsWith('1') && !/^1[2-9]\d{2}[2-9]\d{6}$/.test(full)) return undefined;
  return full.length >= 8 && full.length <= 15 && !full.startsWith('0') ? `+${full}` : undefined;
}

/**
 * What we keep of an email or phone to recognise it without holding it: a keyed hash (HMAC-SHA256
 * with CONTACT_HASH_SECRET) of its normalized form. Keyed, because there are only about 10^10
 * phone numbers: a plain hash is reversed by trying them all. Changing the secret means rebuilding
 * what holds these hashes (the case index from the log; the unsubscribe list cannot be, so keep it).
 */
export const contactHash = (normalized: string): Buffer =>
  createHmac('sha256', secret('CONTACT_HASH_SECRET', 'caseline-development-contact-secret')).update(normalized).digest();

/** a***@example.org: enough for staff to recognise, not enough to leak. */
export const maskEmail = (email: string): string => {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}***@${domain ?? ''}`;
};

/** +1******0199: the last four digits, as banks show them. */
export const maskPhone = (phone: string): string => {
  const digits = normalizePhone(phone);
  return `+${digits.slice(0, 1)}${'*'.repeat(Math.max(0, digits.length - 5))}${digits.slice(-4)}`;
};
