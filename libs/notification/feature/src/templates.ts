import type { NotificationPurpose } from '@caseline/case-contracts';

export interface MessageFacts {
  reference: string;
  serviceName: string;
  trackingUrl: string;
  note?: string;
  /** For a duplicate: the request it follows. */
  originalReference?: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
}

type Template = (facts: MessageFacts) => RenderedMessage;

const templates: Record<'en' | 'es', Record<NotificationPurpose, Template>> = {
  en: {
    received: (f) => ({
      subject: `We received your request ${f.reference}`,
      text: `Thank you. Your request "${f.serviceName}" has reference number ${f.reference}.\nQuote it if you call 311, or follow it here: ${f.trackingUrl}\n`,
    }),
    resolved: (f) => ({
      subject: `Your request ${f.reference} is resolved`,
      text: `Your request "${f.serviceName}" (${f.reference}) has been resolved.${f.note ? `\nThe department says: ${f.note}` : ''}\nDetails: ${f.trackingUrl}\n`,
    }),
    'linked-as-duplicate': (f) => ({
      subject: `Your request ${f.reference} is already being handled`,
      text: `Another resident already reported this problem as request ${f.originalReference}, and the city is working on it. We linked your request ${f.reference} to it, and we will tell you when it is resolved.\nFollow it here: ${f.trackingUrl}\n`,
    }),
  },
  es: {
    received: (f) => ({
      subject: `Recibimos su solicitud ${f.reference}`,
      text: `Gracias. Su solicitud "${f.serviceName}" tiene el número de referencia ${f.reference}.\nMenciónelo si llama al 311, o siga su estado aquí: ${f.trackingUrl}\n`,
    }),
    resolved: (f) => ({
      subject: `Su solicitud ${f.reference} fue resuelta`,
      text: `Su solicitud "${f.serviceName}" (${f.reference}) fue resuelta.${f.note ? `\nEl departamento informa: ${f.note}` : ''}\nDetalles: ${f.trackingUrl}\n`,
    }),
    'linked-as-duplicate': (f) => ({
      subject: `Su solicitud ${f.reference} ya está en trámite`,
      text: `Otra persona ya informó este problema con la solicitud ${f.originalReference}, y la ciudad está trabajando en ello. Vinculamos su solicitud ${f.reference} a esa, y le avisaremos cuando se resuelva.\nSiga su estado aquí: ${f.trackingUrl}\n`,
    }),
  },
};

export const render = (purpose: NotificationPurpose, language: 'en' | 'es' | undefined, facts: MessageFacts): RenderedMessage =>
  templates[language ?? 'en'][purpose](facts);
