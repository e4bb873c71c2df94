import type { NotificationPurpose } from '@caseline/case-contracts';
import { fitSms } from './sms';

export type Language = 'en' | 'es';
export const LANGUAGES: readonly Language[] = ['en', 'es'];

/** Purposes that people read (a partner's webhook carries data, not words). */
export type MessagePurpose = Exclude<NotificationPurpose, 'case-changed'>;
export type MessageChannel = 'email' | 'sms';

/** Everything a message may say about its case; each template uses what it needs. */
export interface MessageFacts {
  reference: string;
  serviceName: string;
  trackingUrl: string;
  unsubscribeUrl: string;
  departmentName?: string;
  /** ISO instant: when the department expects to be done. */
  dueAt?: string;
  /** ISO date or instant the work is planned for. */
  scheduledFor?: string;
  /** The department's resolution note, or a reason the case was closed. */
  note?: string;
  /** What the city asks the reporter. */
  question?: string;
  originalReference?: string;
  /** "Not fixed?": reopens the case, until the window closes. */
  reopenUrl?: string;
  surveyUrl?: string;
  /** For staff: the council district and its member. */
  district?: string;
  /** The reader follows the request rather than having reported it. */
  following?: boolean;
  /** A council member's daily digest: the day, and the district's new and overdue cases. */
  digest?: { date: string; newCases: DigestCase[]; overdue: DigestCase[]; more: { newCases: number; overdue: number } };
}

export interface DigestCase {
  reference: string;
  serviceName: string;
  dueAt?: string;
  trackingUrl: string;
}

export interface RenderedMessage {
  /** Email only. */
  subject?: string;
  text: string;
}

/** Dates in the city's time zone and the reader's language. */
export interface Words {
  date(iso: string): string;
}

type Email = (f: MessageFacts, w: Words) => { subject: string; body: string };
type Sms = (f: MessageFacts, w: Words) => string;
interface PurposeTemplates {
  email: Email;
  sms: Sms;
}

// How a message names the request: the reader's own, or one they follow.
const yours = {
  en: (f: MessageFacts) => (f.following ? `request "${f.serviceName}" (${f.reference}), which you follow,` : `your request "${f.serviceName}" (${f.reference})`),
  es: (f: MessageFacts) => (f.following ? `la solicitud "${f.serviceName}" (${f.reference}), que usted sigue,` : `su solicitud "${f.serviceName}" (${f.reference})`),
};
const Yours = {
  en: (f: MessageFacts) => (f.following ? `Request ${f.reference}, which you follow,` : `Your request ${f.reference}`),
  es: (f: MessageFacts) => (f.following ? `La solicitud ${f.reference}, que usted sigue,` : `Su solicitud ${f.reference}`),
};
const capital = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

const digestLines = (cases: DigestCase[], more: number, w: Words, due: boolean): string[] =>
  cases.length === 0
    ? ['  (none)']
    : [...cases.map((c) => `  ${c.reference}  ${c.serviceName}${due && c.dueAt ? ` (due ${w.date(c.dueAt)})` : ''}\n    ${c.trackingUrl}`), ...(more > 0 ? [`  … and ${more} more`] : [])];

const digestEn = (f: MessageFacts, w: Words) => {
  const d = f.digest!;
  return {
    subject: `311 in council district ${f.district}: ${d.newCases.length + d.more.newCases} new, ${d.overdue.length + d.more.overdue} overdue (${w.date(d.date)})`,
    body: [`New requests in council district ${f.district} in the last 24 hours:`, ...digestLines(d.newCases, d.more.newCases, w, false), '', 'Open requests past their due date:', ...digestLines(d.overdue, d.more.overdue, w, true)].join('\n'),
  };
};

// Plain words: no "SR", "work order", "routed" or department codes reach a resident.
const en: Record<MessagePurpose, PurposeTemplates> = {
  received: {
    email: (f) => ({
      subject: `We received your request ${f.reference}`,
      body: `Thank you. Your request "${f.serviceName}" has reference number ${f.reference}.\nQuote it if you call 311, or follow it here: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: we received your request "${f.serviceName}", reference ${f.reference}. Follow it: ${f.trackingUrl}`,
  },
  assigned: {
    email: (f, w) => ({
      subject: `${Yours.en(f)} is with the ${f.departmentName}`,
      body: `The ${f.departmentName} now has ${yours.en(f)}${f.dueAt ? ` and expects to deal with it by ${w.date(f.dueAt)}` : ''}.\nFollow it here: ${f.trackingUrl}`,
    }),
    sms: (f, w) => `311: ${f.reference} is with the ${f.departmentName}${f.dueAt ? `, expected by ${w.date(f.dueAt)}` : ''}: ${f.trackingUrl}`,
  },
  scheduled: {
    email: (f, w) => ({
      subject: `${Yours.en(f)} is scheduled`,
      body: `The work for ${yours.en(f)} is scheduled${f.scheduledFor ? ` for ${w.date(f.scheduledFor)}` : ''}. We will tell you when it is done.\nFollow it here: ${f.trackingUrl}`,
    }),
    sms: (f, w) => `311: work on ${f.reference} is scheduled${f.scheduledFor ? ` for ${w.date(f.scheduledFor)}` : ''}: ${f.trackingUrl}`,
  },
  'in-progress': {
    email: (f) => ({
      subject: f.following ? `Work has started on request ${f.reference}, which you follow` : `Work has started on your request ${f.reference}`,
      body: `A crew has started work on ${yours.en(f)}. We will tell you when it is done.\nFollow it here: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: work has started on ${f.reference}. ${f.trackingUrl}`,
  },
  'information-requested': {
    email: (f) => ({
      subject: `We need more information about your request ${f.reference}`,
      body: `To go on with your request "${f.serviceName}" (${f.reference}), the city asks:\n\n  ${f.question}\n\nReply to this email with your answer (keep the reference in the subject), or call 311. The work waits for your answer.\nFollow it here: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: about ${f.reference}, the city asks: ${f.question} Call 311 to answer, or reply to our email.`,
  },
  resolved: {
    email: (f) => ({
      subject: `${Yours.en(f)} is resolved`,
      body: [
        `${capital(yours.en(f))} has been resolved.`,
        ...(f.note ? [`The department says: ${f.note}`] : []),
        ...(f.reopenUrl ? ['', `Not fixed? Tell us and we will reopen it: ${f.reopenUrl}`] : []),
        ...(f.surveyUrl ? ['', `How did we do? Two questions, one minute: ${f.surveyUrl}`] : []),
        '',
        `Details: ${f.trackingUrl}`,
      ].join('\n'),
    }),
    sms: (f) => `311: ${f.reference} is resolved.${f.note ? ` ${f.note}` : ''}${f.reopenUrl ? ` Not fixed? ${f.reopenUrl}` : ''}`,
  },
  closed: {
    email: (f) => ({
      subject: `${Yours.en(f)} was closed`,
      body: `${capital(yours.en(f))} was closed${f.note ? `: ${f.note}` : '.'}\nIf the problem is still there, report it again or call 311.\nDetails: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: ${f.reference} was closed${f.note ? `: ${f.note}` : '.'} ${f.trackingUrl}`,
  },
  'linked-as-duplicate': {
    email: (f) => ({
      subject: `Your request ${f.reference} is already being handled`,
      body: `Another resident already reported this problem as request ${f.originalReference}, and the city is working on it. We linked your request ${f.reference} to it, and we will tell you as it moves on and when it is resolved.\nFollow it here: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: ${f.reference} was already reported as ${f.originalReference}; we will tell you when it is resolved. ${f.trackingUrl}`,
  },
  'deadline-approaching': {
    email: (f, w) => ({
      subject: `Due soon: ${f.reference} (${f.serviceName})`,
      body: `Request ${f.reference} ("${f.serviceName}") for the ${f.departmentName} is due ${f.dueAt ? w.date(f.dueAt) : 'soon'} and is not done yet.\nDetails: ${f.trackingUrl}`,
    }),
    sms: (f, w) => `311: ${f.reference} is due ${f.dueAt ? w.date(f.dueAt) : 'soon'}: ${f.trackingUrl}`,
  },
  digest: {
    email: digestEn,
    sms: (f) => `311: council district ${f.district}: ${(f.digest?.newCases.length ?? 0) + (f.digest?.more.newCases ?? 0)} new, ${(f.digest?.overdue.length ?? 0) + (f.digest?.more.overdue ?? 0)} overdue requests.`,
  },
  escalated: {
    email: (f, w) => ({
      subject: `Overdue: ${f.reference} (${f.serviceName})${f.district ? ` in council district ${f.district}` : ''}`,
      body: `Request ${f.reference} ("${f.serviceName}") was due ${f.dueAt ? w.date(f.dueAt) : 'earlier'} with the ${f.departmentName} and is still open.${f.district ? `\nIt is in council district ${f.district}.` : ''}\nDetails: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: ${f.reference} is overdue with the ${f.departmentName}. ${f.trackingUrl}`,
  },
};

const es: Partial<Record<MessagePurpose, Partial<PurposeTemplates>>> = {
  received: {
    email: (f) => ({
      subject: `Recibimos su solicitud ${f.reference}`,
      body: `Gracias. Su solicitud "${f.serviceName}" tiene el número de referencia ${f.reference}.\nMenciónelo si llama al 311, o siga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: recibimos su solicitud "${f.serviceName}", referencia ${f.reference}. Sígala: ${f.trackingUrl}`,
  },
  assigned: {
    email: (f, w) => ({
      subject: `${Yours.es(f)} está en manos de: ${f.departmentName}`,
      body: `${f.departmentName} tiene ahora ${yours.es(f)}${f.dueAt ? ` y prevé atenderla antes del ${w.date(f.dueAt)}` : ''}.\nSiga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f, w) => `311: ${f.reference} está en manos de ${f.departmentName}${f.dueAt ? `, previsto antes del ${w.date(f.dueAt)}` : ''}: ${f.trackingUrl}`,
  },
  scheduled: {
    email: (f, w) => ({
      subject: `${Yours.es(f)} está programada`,
      body: `El trabajo de ${yours.es(f)} está programado${f.scheduledFor ? ` para el ${w.date(f.scheduledFor)}` : ''}. Le avisaremos cuando esté hecho.\nSiga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f, w) => `311: el trabajo de ${f.reference} está programado${f.scheduledFor ? ` para el ${w.date(f.scheduledFor)}` : ''}: ${f.trackingUrl}`,
  },
  'in-progress': {
    email: (f) => ({
      subject: f.following ? `Comenzó el trabajo de la solicitud ${f.reference}, que usted sigue` : `Comenzó el trabajo de su solicitud ${f.reference}`,
      body: `Un equipo comenzó a trabajar en ${yours.es(f)}. Le avisaremos cuando esté hecho.\nSiga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: comenzó el trabajo de ${f.reference}. ${f.trackingUrl}`,
  },
  'information-requested': {
    email: (f) => ({
      subject: `Necesitamos más información sobre su solicitud ${f.reference}`,
      body: `Para seguir con su solicitud "${f.serviceName}" (${f.reference}), la ciudad pregunta:\n\n  ${f.question}\n\nResponda a este correo con su respuesta (deje la referencia en el asunto), o llame al 311. El trabajo espera su respuesta.\nSiga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: sobre ${f.reference}, la ciudad pregunta: ${f.question} Llame al 311 para responder, o responda a nuestro correo.`,
  },
  resolved: {
    email: (f) => ({
      subject: `${Yours.es(f)} fue resuelta`,
      body: [
        `${capital(yours.es(f))} fue resuelta.`,
        ...(f.note ? [`El departamento informa: ${f.note}`] : []),
        ...(f.reopenUrl ? ['', `¿No quedó resuelto? Díganos y la reabriremos: ${f.reopenUrl}`] : []),
        ...(f.surveyUrl ? ['', `¿Cómo lo hicimos? Dos preguntas, un minuto: ${f.surveyUrl}`] : []),
        '',
        `Detalles: ${f.trackingUrl}`,
      ].join('\n'),
    }),
    sms: (f) => `311: ${f.reference} fue resuelta.${f.note ? ` ${f.note}` : ''}${f.reopenUrl ? ` ¿No quedó resuelto? ${f.reopenUrl}` : ''}`,
  },
  closed: {
    email: (f) => ({
      subject: `${Yours.es(f)} fue cerrada`,
      body: `${capital(yours.es(f))} fue cerrada${f.note ? `: ${f.note}` : '.'}\nSi el problema sigue, infórmelo de nuevo o llame al 311.\nDetalles: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: ${f.reference} fue cerrada${f.note ? `: ${f.note}` : '.'} ${f.trackingUrl}`,
  },
  'linked-as-duplicate': {
    email: (f) => ({
      subject: `Su solicitud ${f.reference} ya está en trámite`,
      body: `Otra persona ya informó este problema con la solicitud ${f.originalReference}, y la ciudad está trabajando en ello. Vinculamos su solicitud ${f.reference} a esa, y le avisaremos de sus avances y cuando se resuelva.\nSiga su estado aquí: ${f.trackingUrl}`,
    }),
    sms: (f) => `311: ${f.reference} ya se había informado como ${f.originalReference}; le avisaremos cuando se resuelva. ${f.trackingUrl}`,
  },
};

const footers: Record<Language, { email: (f: MessageFacts) => string; sms: (f: MessageFacts) => string }> = {
  en: { email: (f) => `\n\n--\nDemo City 311. To stop these emails: ${f.unsubscribeUrl}\n`, sms: (f) => ` Stop: ${f.unsubscribeUrl}` },
  es: { email: (f) => `\n\n--\n311 de la ciudad. Para dejar de recibir estos correos: ${f.unsubscribeUrl}\n`, sms: (f) => ` Baja: ${f.unsubscribeUrl}` },
};

export interface Rendering extends RenderedMessage {
  /** The language the message is in: English when the reader's has no template yet. */
  language: Language;
  /** The reader's language had no template for this purpose and channel (reported; English was sent). */
  missingTranslation?: Language;
}

/** The template in the reader's language, or English, and whether English stood in. */
function templateFor(purpose: MessagePurpose, channel: MessageChannel, language: Language): { template: Email | Sms; language: Language; missing?: Language } {
  const own = language === 'en' ? en[purpose][channel] : es[purpose]?.[channel];
  return own ? { template: own, language } : { template: en[purpose][channel], language: 'en', missing: language };
}

/** The translations that do not exist yet, to report (and to test that residents' messages have them). */
export function missingTranslations(): { purpose: MessagePurpose; channel: MessageChannel; language: Language }[] {
  return (Object.keys(en) as MessagePurpose[]).flatMap((purpose) =>
    (['email', 'sms'] as const).flatMap((channel) => (es[purpose]?.[channel] ? [] : [{ purpose, channel, language: 'es' as const }])),
  );
}

/**
 * A message for one reader: the template for its purpose, channel and language (English when that
 * language has none yet), with the unsubscribe footer. A text message is fitted into
 * `maxSmsSegments` segments (four by default) by shortening the note or question it quotes (sms.ts).
 */
export function renderMessage(purpose: MessagePurpose, channel: MessageChannel, language: Language, facts: MessageFacts, words: (language: Language) => Words, maxSmsSegments = 4): Rendering {
  const chosen = templateFor(purpose, channel, language);
  const w = words(chosen.language);
  const footer = footers[chosen.language];
  const base = { language: chosen.language, ...(chosen.missing ? { missingTranslation: chosen.missing } : {}) };
  if (channel === 'email') {
    const { subject, body } = (chosen.template as Email)(facts, w);
    return { ...base, subject, text: `${body}${footer.email(facts)}` };
  }
  const freeText = Object.fromEntries((['note', 'question'] as const).filter((k) => facts[k]).map((k) => [k, facts[k]!]));
  return { ...base, text: fitSms((free) => `${(chosen.template as Sms)({ ...facts, ...free }, w)}${footer.sms(facts)}`, freeText, maxSmsSegments) };
}
