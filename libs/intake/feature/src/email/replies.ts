/** What the answer to a resident's email says. */
export interface ReplyFacts {
  /** A new case was opened, or the message was added to the case it quoted. */
  outcome: 'opened' | 'added';
  reference: string;
  serviceName: string;
  trackingUrl: string;
  /** The type was unclear: an operator will read it. */
  triaged: boolean;
  /** Attachments not kept (too many or too large). */
  droppedAttachments: number;
  limits: { attachments: number; attachmentMegabytes: number };
}

export interface Reply {
  subject: string;
  text: string;
}

const lines = (...parts: (string | false)[]) => `${parts.filter(Boolean).join('\n')}\n`;

const replies: Record<'en' | 'es', (f: ReplyFacts) => Reply> = {
  en: (f) => ({
    subject: f.outcome === 'opened' ? `We received your request ${f.reference}` : `We added your message to request ${f.reference}`,
    text: lines(
      f.outcome === 'opened' ? `Thank you for writing to 311. Your request "${f.serviceName}" has reference number ${f.reference}.` : `We added your message to your request ${f.reference}.`,
      f.outcome === 'opened' && f.triaged && 'A 311 agent will read it and send it to the department that can help.',
      `Quote the number if you call 311, or follow your request here: ${f.trackingUrl}`,
      f.droppedAttachments > 0 &&
        `${f.droppedAttachments} attachment(s) could not be kept: we keep up to ${f.limits.attachments} per message, each up to ${f.limits.attachmentMegabytes} MB.`,
      'To add details or photos, reply to this email and keep the reference number in the subject.',
      '(This is an automatic reply.)',
    ),
  }),
  es: (f) => ({
    subject: f.outcome === 'opened' ? `Recibimos su solicitud ${f.reference}` : `Agregamos su mensaje a la solicitud ${f.reference}`,
    text: lines(
      f.outcome === 'opened' ? `Gracias por escribir al 311. Su solicitud "${f.serviceName}" tiene el número de referencia ${f.reference}.` : `Agregamos su mensaje a su solicitud ${f.reference}.`,
      f.outcome === 'opened' && f.triaged && 'Un agente del 311 la leerá y la enviará al departamento que pueda ayudarle.',
      `Mencione el número si llama al 311, o siga su solicitud aquí: ${f.trackingUrl}`,
      f.droppedAttachments > 0 &&
        `No pudimos guardar ${f.droppedAttachments} archivo(s) adjunto(s): guardamos hasta ${f.limits.attachments} por mensaje, de hasta ${f.limits.attachmentMegabytes} MB cada uno.`,
      'Para agregar detalles o fotos, responda a este correo y mantenga el número de referencia en el asunto.',
      '(Esta es una respuesta automática.)',
    ),
  }),
};

export const renderReply = (language: 'en' | 'es', facts: ReplyFacts): Reply => replies[language](facts);
