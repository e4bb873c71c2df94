import type { CaseEventEnvelope, CaseFollowed, CaseReported, PersonalFields, ReporterContact, SealedPersonalData } from '@caseline/case-contracts';
import { Opened, PersonalDataVault, presentFields } from './personal-data-vault';

/** What of a reporter is not personal (language, and whether they want messages): all that may be kept in clear. */
export function reporterPreferences(reporter: ReporterContact | undefined): ReporterContact | undefined {
  if (!reporter) return undefined;
  const { language, notify } = reporter;
  return { ...(language ? { language } : {}), ...(notify !== undefined ? { notify } : {}) };
}

/** The contact fields of schema 1's clear reporter (events written before sealing). */
const clearContact = (reporter: ReporterContact | undefined): PersonalFields => presentFields({ name: reporter?.name, email: reporter?.email, phone: reporter?.phone });

/**
 * The reporter's personal fields of a case, opened: 'erased' when their key was destroyed,
 * undefined when they left none. Events of schema 1 hold them in clear.
 */
export async function reporterPersonalData(vault: PersonalDataVault, reported: CaseReported['data']): Promise<PersonalFields | 'erased' | undefined> {
  if (reported.personal) return (await vault.open(reported.personal)) ?? 'erased';
  const clear = clearContact(reported.reporter);
  return Object.keys(clear).length > 0 ? clear : undefined;
}

type Sealer = (fields: PersonalFields) => SealedPersonalData;

/** A case's history with its residents' contacts opened in memory, and how to seal under the key of whoever has an address. */
export interface OpenedHistory {
  /** Schema 1's shape: the reporter's contact in `reporter`, a follower's `email`; what could not be opened (erased) stays sealed. */
  events: CaseEventEnvelope[];
  /** Seals fields (e.g. a message's recipient) under the key of the resident with this email or phone, as opened. */
  sealerOf(address: string): Sealer | undefined;
}

/**
 * For code that uses contacts (sending a message, matching a sender): never stored in this form,
 * and never shown to staff through it (private details are left out).
 */
export async function openHistory(vault: PersonalDataVault, history: readonly CaseEventEnvelope[]): Promise<OpenedHistory> {
  const sealedOf = (event: CaseEventEnvelope): SealedPersonalData | undefined => {
    if (event.type === 'CaseReported') return (event.data as CaseReported['data']).personal;
    if (event.type === 'CaseFollowed') {
      const { follower } = event.data as CaseFollowed['data'];
      return 'personal' in follower ? follower.personal : undefined;
    }
    return undefined;
  };
  const sealed = history.map(sealedOf);
  const present = sealed.filter((value): value is SealedPersonalData => value !== undefined);
  const opened = new Map<SealedPersonalData, Opened | undefined>();
  (await vault.openAll(present)).forEach((value, index) => opened.set(present[index], value));
  const sealers = new Map<string, Sealer>();
  const events = history.map((event, index) => {
    const value = sealed[index] && opened.get(sealed[index]!);
    if (!value) return event;
    const { name, email, phone } = value.fields;
    for (const address of [email, phone]) if (address) sealers.set(address, value.sealAlike);
    if (event.type === 'CaseReported') {
      const data = event.data as CaseReported['data'];
      return { ...event, data: { ...data, reporter: { ...data.reporter, ...presentFields({ name, email, phone }) } } };
    }
    const follower = (event.data as CaseFollowed['data']).follower as { language: 'en' | 'es' };
    return email ? { ...event, data: { follower: { email, language: follower.language } } } : event;
  });
  return { events, sealerOf: (address) => sealers.get(address) };
}
