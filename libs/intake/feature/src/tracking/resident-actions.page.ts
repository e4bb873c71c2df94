import { escapeHtml } from '@caseline/service-kit';
import { formatDate, Language } from './i18n';
import { renderSitePage } from './tracking.page';

// The pages behind the links residents get by email: "not fixed?" (reopen), the satisfaction
// survey, and confirming an address that asked to follow a request. Pure: data in, HTML out.

const TEXT = {
  en: {
    reopenTitle: 'Not fixed?',
    reopenIntro: (ref: string) => `Tell us what is still wrong, and we will send request ${ref} back to the department that handled it.`,
    reopenLabel: 'What is still wrong? (optional, but it helps)',
    reopenButton: 'Reopen my request',
    reopened: (ref: string) => `Request ${ref} is open again. The department will look at it again, and we will keep you informed.`,
    notResolved: (ref: string) => `Request ${ref} is not resolved at the moment, so there is nothing to reopen.`,
    reopenTooLate: (ref: string) => `Request ${ref} was resolved too long ago to reopen it. If the problem is back, report it again or call 311.`,
    surveyTitle: 'How did we do?',
    surveyQuestion: (ref: string) => `How satisfied are you with how request ${ref} was handled?`,
    ratings: ['Very unhappy', 'Unhappy', 'Neither', 'Happy', 'Very happy'],
    commentLabel: 'Anything you want to add? (optional)',
    surveyButton: 'Send my answer',
    thanks: 'Thank you. Your answer helps the city do better.',
    answered: 'We already have your answer for this request. Thank you.',
    followTitle: 'Get updates about this request?',
    followIntro: (ref: string, email: string) => `We will email ${email} when request ${ref} moves on, until it is closed.`,
    followButton: 'Yes, send me updates',
    followed: (ref: string) => `Done: you will hear from us when request ${ref} moves on.`,
    checkMailbox: (email: string) => `Check your mailbox: we sent a link to ${email}. Open it to start getting updates.`,
    closed: (ref: string) => `Request ${ref} is closed: there is nothing more to follow.`,
    expiredTitle: 'This link has expired',
    expired: (date: string) => `This link worked until ${date}. If the problem is still there, report it again or call 311.`,
    chooseRating: 'Please choose one answer.',
    tooLong: 'Please keep it under 2,000 characters.',
    invalidEmail: 'Please give one email address, like name@example.org.',
  },
  es: {
    reopenTitle: '¿No quedó resuelto?',
    reopenIntro: (ref: string) => `Díganos qué sigue mal y enviaremos la solicitud ${ref} de nuevo al departamento que la atendió.`,
    reopenLabel: '¿Qué sigue mal? (opcional, pero ayuda)',
    reopenButton: 'Reabrir mi solicitud',
    reopened: (ref: string) => `La solicitud ${ref} está abierta de nuevo. El departamento la revisará otra vez y le mantendremos informado.`,
    notResolved: (ref: string) => `La solicitud ${ref} no está resuelta en este momento, así que no hay nada que reabrir.`,
    reopenTooLate: (ref: string) => `La solicitud ${ref} se resolvió hace demasiado tiempo para reabrirla. Si el problema volvió, infórmelo de nuevo o llame al 311.`,
    surveyTitle: '¿Cómo lo hicimos?',
    surveyQuestion: (ref: string) => `¿Qué tan satisfecho está con la atención de la solicitud ${ref}?`,
    ratings: ['Muy insatisfecho', 'Insatisfecho', 'Ni lo uno ni lo otro', 'Satisfecho', 'Muy satisfecho'],
    commentLabel: '¿Algo que quiera agregar? (opcional)',
    surveyButton: 'Enviar mi respuesta',
    thanks: 'Gracias. Su respuesta ayuda a la ciudad a mejorar.',
    answered: 'Ya tenemos su respuesta para esta solicitud. Gracias.',
    followTitle: '¿Recibir novedades de esta solicitud?',
    followIntro: (ref: string, email: string) => `Le escribiremos a ${email} cuando la solicitud ${ref} avance, hasta que se cierre.`,
    followButton: 'Sí, quiero recibir novedades',
    followed: (ref: string) => `Listo: le avisaremos cuando la solicitud ${ref} avance.`,
    checkMailbox: (email: string) => `Revise su correo: enviamos un enlace a ${email}. Ábralo para empezar a recibir novedades.`,
    closed: (ref: string) => `La solicitud ${ref} está cerrada: no hay nada más que seguir.`,
    expiredTitle: 'Este enlace venció',
    expired: (date: string) => `Este enlace funcionaba hasta el ${date}. Si el problema sigue, infórmelo de nuevo o llame al 311.`,
    chooseRating: 'Elija una respuesta, por favor.',
    tooLong: 'Use menos de 2.000 caracteres, por favor.',
    invalidEmail: 'Indique una dirección de correo, como nombre@ejemplo.org.',
  },
};

export type ActionText = (typeof TEXT)['en'];
export const actionText = (language: Language): ActionText => TEXT[language];

const errorLine = (error: string | undefined) => (error ? `<p class="error" id="form-error" role="alert">${escapeHtml(error)}</p>` : '');

/** A short page: a heading and a message. */
export const renderMessagePage = (language: Language, title: string, message: string): string => renderSitePage(language, title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);

export const renderExpiredPage = (language: Language, expires: number): string =>
  renderMessagePage(language, TEXT[language].expiredTitle, TEXT[language].expired(formatDate(new Date(expires * 1000).toISOString(), language)));

export function renderReopenPage(language: Language, reference: string, action: string, form: { reason?: string; error?: string } = {}): string {
  const t = TEXT[language];
  return renderSitePage(
    language,
    t.reopenTitle,
    `<h1>${escapeHtml(t.reopenTitle)}</h1>
<p>${escapeHtml(t.reopenIntro(reference))}</p>
${errorLine(form.error)}
<form method="post" action="${escapeHtml(action)}">
<div class="field">
<label for="reason">${escapeHtml(t.reopenLabel)}</label>
<textarea id="reason" name="reason" rows="4" maxlength="2000"${form.error ? ' aria-invalid="true" aria-describedby="form-error"' : ''}>${escapeHtml(form.reason ?? '')}</textarea>
</div>
<button type="submit">${escapeHtml(t.reopenButton)}</button>
</form>`,
  );
}

export function renderSurveyPage(language: Language, reference: string, action: string, form: { rating?: string; comment?: string; error?: string } = {}): string {
  const t = TEXT[language];
  const options = t.ratings
    .map((label, i) => `<div><input type="radio" id="rating-${i + 1}" name="rating" value="${i + 1}" required${form.rating === String(i + 1) ? ' checked' : ''}> <label for="rating-${i + 1}">${i + 1} — ${escapeHtml(label)}</label></div>`)
    .join('\n');
  return renderSitePage(
    language,
    t.surveyTitle,
    `<h1>${escapeHtml(t.surveyTitle)}</h1>
${errorLine(form.error)}
<form method="post" action="${escapeHtml(action)}">
<fieldset class="field"${form.error ? ' aria-describedby="form-error"' : ''}>
<legend>${escapeHtml(t.surveyQuestion(reference))}</legend>
${options}
</fieldset>
<div class="field">
<label for="comment">${escapeHtml(t.commentLabel)}</label>
<textarea id="comment" name="comment" rows="4" maxlength="2000">${escapeHtml(form.comment ?? '')}</textarea>
</div>
<button type="submit">${escapeHtml(t.surveyButton)}</button>
</form>`,
  );
}

export function renderFollowPage(language: Language, reference: string, maskedEmail: string, action: string): string {
  const t = TEXT[language];
  return renderSitePage(
    language,
    t.followTitle,
    `<h1>${escapeHtml(t.followTitle)}</h1>
<p>${escapeHtml(t.followIntro(reference, maskedEmail))}</p>
<form method="post" action="${escapeHtml(action)}">
<button type="submit">${escapeHtml(t.followButton)}</button>
</form>`,
  );
}
