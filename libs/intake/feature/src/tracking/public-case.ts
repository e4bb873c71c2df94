import { Injectable } from '@nestjs/common';
import type { CaseEvent, CaseEventEnvelope, CaseReported, Channel } from '@caseline/case-contracts';
import { asCaseEvent, caseDecider, CaseStatus } from '@caseline/case-domain';
import { foldCase } from '@caseline/event-store';
import { PersonalDataVault, reporterPersonalData } from '@caseline/personal-data';
import { CaseLog, envInt, normalizeEmail, TtlCache } from '@caseline/service-kit';
import { caseIdForReference } from '../reference-serials';
import { formatDate, isLanguage, Language, Localized } from './i18n';

/** One line of a case's public timeline: when, and what happened, in words a resident reads. */
export interface PublicEvent {
  at: string;
  what: Localized;
}

/**
 * What anyone holding a case's tracking link may see. Built field by field from the events, so no
 * reporter contact (name, email, phone), no notification recipient, no rule id, work-order id or
 * system name can slip in.
 */
export interface PublicCase {
  reference: string;
  status: CaseStatus;
  serviceName: string;
  /** The resident's own words. */
  description: string;
  /** The department's name, once routed. */
  department?: string;
  /** When the city aims to be done (the routing due date). */
  expectedAt?: string;
  reportedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  location: { lat?: number; long?: number; address?: string };
  /** The language the resident chose when reporting (a preference, not contact data). */
  language?: Language;
  events: PublicEvent[];
}

const channelWords: Record<Channel, Localized> = {
  web: { en: 'on the web', es: 'en la web' },
  mobile: { en: 'in the mobile app', es: 'en la aplicación móvil' },
  phone: { en: 'by phone', es: 'por teléfono' },
  email: { en: 'by email', es: 'por correo electrónico' },
  ivr: { en: 'on the automated phone line', es: 'en la línea telefónica automática' },
  'in-person': { en: 'in person', es: 'en persona' },
  api: { en: 'through a partner app', es: 'a través de una aplicación asociada' },
  system: { en: 'by the city', es: 'por la ciudad' },
};

const messageChannelWords: Record<'email' | 'sms', Localized> = {
  email: { en: 'email', es: 'correo electrónico' },
  sms: { en: 'text message', es: 'mensaje de texto' },
};

const both = (sentence: (language: Language) => string): Localized => ({ en: sentence('en'), es: sentence('es') });

/** The public sentence for one event, or undefined for an event residents need not see. */
export function publicSentence(event: CaseEvent): Localized | undefined {
  switch (event.type) {
    case 'CaseReported': {
      const { serviceName, channel } = event.data;
      const how = channelWords[channel];
      return {
        en: `Request “${serviceName}” received${how ? ` ${how.en}` : ''}.`,
        es: `Solicitud «${serviceName}» recibida${how ? ` ${how.es}` : ''}.`,
      };
    }
    case 'CaseRouted':
      return { en: `Assigned to ${event.data.departmentName}.`, es: `Asignada a ${event.data.departmentName}.` };
    case 'CaseSentToTriage':
      return { en: 'Our staff are deciding which department should take this request.', es: 'Nuestro personal está decidiendo qué departamento debe atender esta solicitud.' };
    case 'CaseReferred':
      return { en: 'The request was passed on to the right department.', es: 'La solicitud se remitió al departamento correspondiente.' };
    case 'WorkOrderCreated':
      return { en: 'The department accepted the request and opened a work order.', es: 'El departamento aceptó la solicitud y abrió una orden de trabajo.' };
    case 'WorkOrderRefused':
      return {
        en: 'The department’s system could not take the request; our staff will pass it on.',
        es: 'El sistema del departamento no pudo recibir la solicitud; nuestro personal se la hará llegar.',
      };
    case 'WorkOrderStatusChanged': {
      const { status, scheduledFor } = event.data;
      switch (status) {
        case 'acknowledged':
          return { en: 'The department accepted the request.', es: 'El departamento aceptó la solicitud.' };
        case 'on_hold':
          return { en: 'The work is on hold until we hear back from the person who reported it.', es: 'El trabajo está en espera hasta recibir respuesta de quien hizo la solicitud.' };
        case 'not_fixed':
          return { en: 'The department closed the request without fixing the problem.', es: 'El departamento cerró la solicitud sin resolver el problema.' };
        case 'scheduled':
          return both((language) =>
            language === 'en'
              ? `The work is scheduled${scheduledFor ? ` for ${formatDate(scheduledFor, 'en')}` : ''}.`
              : `El trabajo está programado${scheduledFor ? ` para el ${formatDate(scheduledFor, 'es')}` : ''}.`,
          );
        case 'in_progress':
          return { en: 'Work has started.', es: 'El trabajo comenzó.' };
        case 'completed':
          return { en: 'The department finished the work.', es: 'El departamento terminó el trabajo.' };
        case 'rejected':
          return {
            en: 'The department could not do the work as planned; the request stays open.',
            es: 'El departamento no pudo hacer el trabajo como estaba previsto; la solicitud sigue abierta.',
          };
        default:
          return undefined;
      }
    }
    case 'CaseResolved': {
      const outcome: Record<string, Localized> = {
        fixed: { en: 'Resolved: the problem was fixed.', es: 'Resuelta: el problema fue reparado.' },
        'not-ours': { en: 'Closed: this is not something the city handles.', es: 'Cerrada: este asunto no lo atiende la ciudad.' },
        duplicate: { en: 'Closed: the same problem was already reported and is followed there.', es: 'Cerrada: el mismo problema ya se había reportado y se sigue allí.' },
        'no-action-possible': { en: 'Closed: no action was possible.', es: 'Cerrada: no fue posible actuar.' },
        'answered-at-first-contact': { en: 'Answered by 311 when you called.', es: 'El 311 le respondió cuando llamó.' },
      };
      const words = outcome[event.data.resolution] ?? { en: 'Resolved.', es: 'Resuelta.' };
      // The department's note is the one the resident is also sent by email when it is resolved.
      const note = event.data.note?.trim();
      return note ? { en: `${words.en} The department says: “${note}”`, es: `${words.es} El departamento informa: «${note}»` } : words;
    }
    case 'ResidentNotified': {
      // Only the reporter's own messages, and never the recipient, not even masked: the page is the reporter's.
      if ((event.data.audience ?? 'reporter') !== 'reporter' || event.data.channel === 'webhook') return undefined;
      const by = messageChannelWords[event.data.channel];
      return event.data.purpose === 'resolved'
        ? { en: `We told you by ${by.en} that it was resolved.`, es: `Le avisamos por ${by.es} que fue resuelta.` }
        : event.data.purpose === 'received'
          ? { en: `We sent you a confirmation by ${by.en}.`, es: `Le enviamos una confirmación por ${by.es}.` }
          : { en: `We sent you an update by ${by.en}.`, es: `Le enviamos una novedad por ${by.es}.` };
    }
    case 'ResidentNotificationFailed': {
      if ((event.data.audience ?? 'reporter') !== 'reporter' || event.data.channel === 'webhook') return undefined;
      const by = messageChannelWords[event.data.channel];
      return { en: `A message to you by ${by.en} could not be delivered.`, es: `No se pudo entregar un mensaje para usted por ${by.es}.` };
    }
    case 'InformationRequested':
      // The question itself stays internal: it may name details of the reporter's home or situation.
      return { en: 'The city asked the reporter for more information; the request waits for the answer.', es: 'La ciudad pidió más información a quien hizo la solicitud; la solicitud espera la respuesta.' };
    case 'InformationAdded':
      return { en: 'More information was added to the request.', es: 'Se agregó más información a la solicitud.' };
    case 'CaseCancelled':
      return { en: 'The request was cancelled.', es: 'La solicitud fue cancelada.' };
    case 'CaseReopened':
      return { en: 'Reopened: reported as not fixed.', es: 'Reabierta: se informó que no quedó resuelto.' };
    case 'CaseLinked':
      return event.data.relation === 'duplicate-of'
        ? { en: `Another resident already reported this problem as request ${event.data.relatedReference}; this request follows it.`, es: `Otra persona ya informó este problema con la solicitud ${event.data.relatedReference}; esta solicitud la sigue.` }
        : { en: `Linked to request ${event.data.relatedReference}.`, es: `Vinculada a la solicitud ${event.data.relatedReference}.` };
    case 'CaseSplit':
      return { en: `The work was split between departments: ${event.data.children.map((c) => c.reference).join(', ')}.`, es: `El trabajo se repartió entre departamentos: ${event.data.children.map((c) => c.reference).join(', ')}.` };
    case 'ChildCaseResolved':
      return { en: `Part ${event.data.childReference} was resolved.`, es: `La parte ${event.data.childReference} fue resuelta.` };
    case 'CaseUnlinked':
      return { en: 'This request is handled on its own again.', es: 'Esta solicitud vuelve a tramitarse por separado.' };
    case 'DuplicateReported':
      return { en: `${event.data.reporters} residents have reported this problem.`, es: `${event.data.reporters} personas han informado este problema.` };
    default:
      // Staff notes (NoteAdded) and anything internal stay out of the public view.
      return undefined;
  }
}


/** The public view of a case's history (oldest first), or undefined when there is no case. */
export function toPublicCase(history: CaseEventEnvelope[]): PublicCase | undefined {
  const state = foldCase(caseDecider, history);
  const reported = history.find((e) => e.type === 'CaseReported') as CaseEventEnvelope<'CaseReported', CaseReported['data']> | undefined;
  if (!state.exists || !reported) return undefined;
  const { reference, serviceName, description, location, reporter } = reported.data;
  let department: string | undefined;
  let expectedAt: string | undefined;
  let resolvedAt: string | undefined;
  const events: PublicEvent[] = [];
  for (const envelope of history) {
    const event = asCaseEvent(envelope);
    if (event.type === 'CaseRouted' && department === undefined) {
      department = event.data.departmentName;
      expectedAt = event.data.dueAt;
    }
    if (event.type === 'CaseResolved') resolvedAt = envelope.metadata.at;
    const what = publicSentence(event);
    if (what) events.push({ at: envelope.metadata.at, what });
  }
  return {
    reference,
    status: state.status,
    serviceName,
    description,
    department,
    expectedAt,
    reportedAt: reported.metadata.at,
    updatedAt: history[history.length - 1].metadata.at,
    resolvedAt,
    location: {
      ...(typeof location.lat === 'number' && typeof location.long === 'number' ? { lat: location.lat, long: location.long } : {}),
      ...(location.address ? { address: location.address } : {}),
    },
    ...(isLanguage(reporter?.language) ? { language: reporter.language } : {}),
    events,
  };
}


/** Reads cases for the public tracking pages: what they show, and the reporter-email lookup. */
@Injectable()
export class PublicCases {
  /**
   * Public pages are read far more than cases change: a view is served for up to
   * PUBLIC_VIEW_CACHE_MS (default 1 s) after it was read from the log (0 turns this off).
   */
  private readonly views = new TtlCache<PublicCase | undefined>(envInt('PUBLIC_VIEW_CACHE_MS', 1000));

  constructor(
    private readonly caseLog: CaseLog,
    private readonly vault: PersonalDataVault,
  ) {}

  /** The case with this canonical reference (see parseReference), or undefined. */
  find(reference: string): Promise<PublicCase | undefined> {
    return this.views.get(reference, async () => toPublicCase(await this.caseLog.history(caseIdForReference(reference))));
  }

  /** Whether `email` is the address the case was reported with (case-insensitive); false when there is none. */
  async matchesReporterEmail(reference: string, email: string): Promise<boolean> {
    const given = normalizeEmail(email);
    if (!given) return false;
    const history = await this.caseLog.history(caseIdForReference(reference));
    const reported = history.find((e) => e.type === 'CaseReported') as CaseEventEnvelope<'CaseReported', CaseReported['data']> | undefined;
    const personal = reported?.data.reference === reference ? await reporterPersonalData(this.vault, reported.data) : undefined;
    const known = typeof personal === 'object' ? personal.email : undefined;
    return known !== undefined && normalizeEmail(known) === given;
  }
}
