import { createHash } from 'node:crypto';
import type { CaseStatus } from '@caseline/case-domain';
import { CITY_PALETTE, escapeHtml } from '@caseline/service-kit';
import { CITY_TIME_ZONE, formatDate, formatDateTime, Language, Localized } from './i18n';
import type { PublicCase } from './public-case';

// The public tracking pages as pure functions: data in, a whole HTML5 document out. No framework,
// no client script; every value that reaches the page goes through escapeHtml.


/**
 * Every colour pair the pages use, text on background; the CSS below is built from these only, and
 * tracking.page.unit.spec.ts holds each to WCAG AA (4.5:1 for text, 3:1 for the focus ring).
 */
export const PALETTE = {
  ...CITY_PALETTE,
  error: { fg: '#8a1c14', bg: '#fdecea' },
  received: { fg: '#0a3161', bg: '#e7eefa' },
  assigned: { fg: '#5c3d00', bg: '#fff4d6' },
  scheduled: { fg: '#14532d', bg: '#e6f4ea' },
  in_progress: { fg: '#4a1d75', bg: '#f3e8fd' },
  resolved: { fg: '#0f5132', bg: '#e3f4e8' },
} as const satisfies Record<string, { fg: string; bg: string }>;

const P = PALETTE;

/** The one stylesheet, inline (allowed by its hash in the CSP); readable from 320px wide up. */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1.0625rem;line-height:1.5;color:${P.text.fg};background:${P.text.bg}}
a{color:${P.link.fg};text-decoration:underline;text-underline-offset:.15em}
a:hover{text-decoration-thickness:.15em}
a:focus-visible,button:focus-visible,input:focus-visible,main:focus-visible{outline:3px solid ${P.focus.fg};outline-offset:2px;background:${P.focus.bg};color:${P.focus.fg};box-shadow:0 0 0 5px ${P.focus.bg}}
input:focus-visible{background:${P.text.bg}}
main:focus-visible{background:none;box-shadow:none;outline-offset:-3px}
.skip{position:absolute;left:.5rem;top:-10rem;z-index:10;padding:.5rem 1rem;background:${P.focus.bg};color:${P.focus.fg};font-weight:700}
.skip:focus,.skip:focus-visible{top:.5rem}
.top{background:${P.header.bg};color:${P.header.fg}}
.bar{max-width:42rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;font-size:1.25rem;color:${P.header.fg}}
.top a{color:${P.header.fg};font-weight:600;padding:.25rem .125rem}
.top a:focus-visible{color:${P.focus.fg}}
main{display:block;max-width:42rem;margin:0 auto;padding:1rem 1rem 2rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 .75rem}
h2{font-size:1.25rem;line-height:1.3;margin:1.75rem 0 .5rem}
p{margin:.5rem 0}
.kicker{color:${P.muted.fg};margin:0;font-size:1rem}
.ref{white-space:nowrap}
.status-line{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:.75rem 0}
.badge{display:inline-block;padding:.2rem .75rem;border:2px solid currentColor;border-radius:999px;font-weight:700}
.badge-received{color:${P.received.fg};background:${P.received.bg}}
.badge-assigned{color:${P.assigned.fg};background:${P.assigned.bg}}
.badge-scheduled{color:${P.scheduled.fg};background:${P.scheduled.bg}}
.badge-in_progress{color:${P.in_progress.fg};background:${P.in_progress.bg}}
.badge-resolved{color:${P.resolved.fg};background:${P.resolved.bg}}
.steps{list-style:none;margin:1rem 0;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(7.5rem,1fr));gap:.25rem}
.steps li{padding:.35rem .5rem;border-top:4px solid ${P.muted.fg};color:${P.muted.fg};font-size:.95rem}
.steps .done{border-top-color:${P.resolved.fg};color:${P.text.fg}}
.steps .current{border-top-color:${P.received.fg};color:${P.text.fg};font-weight:700}
.facts{margin:1rem 0;padding:.75rem 1rem;background:${P.panelText.bg};color:${P.panelText.fg};border-radius:.5rem}
.facts div{padding:.4rem 0;border-bottom:1px solid #d5dae1}
.facts div:last-child{border-bottom:0}
.facts dt{font-size:.95rem;color:${P.panelMuted.fg}}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.place{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem 1rem;background:${P.panelText.bg};border-radius:.5rem}
.place svg{flex:none;width:2rem;height:2.5rem}
.place p{margin:0 0 .25rem;overflow-wrap:anywhere}
.place a{color:${P.panelLink.fg}}
.coords{color:${P.panelMuted.fg};font-variant-numeric:tabular-nums}
.description{white-space:pre-line;overflow-wrap:anywhere;margin:0;padding:.5rem 1rem;border-left:4px solid ${P.muted.fg}}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{position:relative;margin:0;padding:0 0 1rem 1.5rem;border-left:2px solid ${P.muted.fg}}
.timeline li:last-child{border-left-color:transparent}
.timeline li::before{content:"";position:absolute;left:-.45rem;top:.35rem;width:.8rem;height:.8rem;border-radius:50%;background:${P.received.fg}}
.timeline time{display:block;font-size:.95rem;color:${P.muted.fg}}
.timeline p{margin:.1rem 0 0;overflow-wrap:anywhere}
form{margin:1rem 0;padding:1rem;background:${P.panelText.bg};border-radius:.5rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:700;margin-bottom:.25rem}
.hint{color:${P.panelMuted.fg};margin:0 0 .25rem;font-size:.95rem}
input[type=text],input[type=email]{display:block;width:100%;max-width:24rem;font:inherit;padding:.5rem .6rem;color:${P.text.fg};background:${P.text.bg};border:2px solid ${P.text.fg};border-radius:.25rem}
input[aria-invalid=true]{border-color:${P.error.fg};border-width:3px}
button{font:inherit;font-weight:700;padding:.6rem 1.25rem;color:${P.button.fg};background:${P.button.bg};border:2px solid ${P.button.bg};border-radius:.25rem;cursor:pointer}
.error{padding:.75rem 1rem;margin:1rem 0;color:${P.error.fg};background:${P.error.bg};border-left:6px solid ${P.error.fg};font-weight:600}
footer{max-width:42rem;margin:0 auto;padding:1rem 1rem 2rem;color:${P.muted.fg};border-top:1px solid #d5dae1;font-size:.95rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`.trim();

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLES).digest('base64')}`;

/**
 * Headers of every tracking response. The token is in the URL, so no Referer ever leaves the page
 * and nothing is cached; the CSP allows only our own inline stylesheet (by hash) and same-origin forms.
 */
export const TRACKING_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
};

const STATUS_WORDS: Record<CaseStatus, Localized> = {
  received: { en: 'Received', es: 'Recibida' },
  assigned: { en: 'Assigned', es: 'Asignada' },
  scheduled: { en: 'Scheduled', es: 'Programada' },
  in_progress: { en: 'In progress', es: 'En curso' },
  resolved: { en: 'Resolved', es: 'Resuelta' },
  cancelled: { en: 'Cancelled', es: 'Cancelada' },
};

const STATUS_HELP: Record<CaseStatus, Localized> = {
  received: {
    en: 'We have your request and are sending it to the department that handles it.',
    es: 'Tenemos su solicitud y la estamos enviando al departamento que la atiende.',
  },
  assigned: {
    en: 'A city department has your request and will plan the work.',
    es: 'Un departamento de la ciudad tiene su solicitud y planificará el trabajo.',
  },
  scheduled: { en: 'The department has scheduled the work.', es: 'El departamento programó el trabajo.' },
  in_progress: { en: 'The department is working on it.', es: 'El departamento está trabajando en ello.' },
  resolved: { en: 'This request is closed. The history below says how.', es: 'Esta solicitud está cerrada. El historial de abajo explica cómo.' },
  cancelled: { en: 'This request was cancelled.', es: 'Esta solicitud fue cancelada.' },
};

/** The resident's steps: received → assigned → scheduled / in progress → resolved. */
const STEP_OF: Record<CaseStatus, number> = { received: 0, assigned: 1, scheduled: 2, in_progress: 2, resolved: 3, cancelled: 3 };

const TEXT = {
  en: {
    brand: '311',
    skip: 'Skip to main content',
    languageNav: 'Language',
    otherLanguage: 'Español',
    caseTitle: (reference: string, status: string) => `Request ${reference}: ${status}`,
    kicker: 'Service request',
    request: 'Request',
    status: 'Status:',
    progress: 'Progress',
    steps: ['Received', 'Assigned', 'Scheduled or in progress', 'Resolved'],
    stepDone: '(done)',
    stepCurrent: '(current step)',
    what: 'What',
    department: 'Department',
    notAssigned: 'Not assigned yet',
    expected: 'Expected by',
    resolvedOn: 'Resolved',
    reported: 'Reported',
    updated: 'Last update',
    where: 'Where',
    latitude: 'Latitude',
    longitude: 'longitude',
    viewOnMap: 'View on map',
    mapNote: '(OpenStreetMap, another website)',
    yourWords: 'What you told us',
    history: 'What happened',
    timeZone: 'Times are New York time.',
    lookupAnother: 'Look up another request',
    followTitle: 'Get updates by email',
    followHint: 'We will email you when this request moves on. We first send a link to confirm the address.',
    followButton: 'Send me updates',
    followEmail: 'Your email address',
    callUs: 'Questions? Call 311 and give your reference number.',
    lookupTitle: 'Follow your request',
    lookupIntro: 'Enter the reference number you were given and the email address you reported with.',
    reference: 'Reference number',
    referenceHint: 'Nine digits, like 100-000-123',
    email: 'Email address you reported with',
    submit: 'Show my request',
    missing: 'Enter both your reference number and your email address.',
    badFormat: 'A reference number has nine digits, like 100-000-123. Check the number and try again.',
    noMatch: 'We could not find a request with that reference number and email address. Check both and try again, or call 311.',
    noEmailHint: 'Reported by phone or without an email? Use the link you were given, or call 311.',
    notFoundTitle: 'We could not find that request',
    notFoundText: 'The link may be incomplete or out of date. You can look the request up with its reference number and the email address you reported with, or call 311.',
    invalidTitle: 'That is not a reference number',
    invalidText: 'A reference number has nine digits, like 100-000-123. The last digit is a check digit, so a mistyped or swapped digit is caught. Check the number and try again.',
    errorTitle: 'Something went wrong',
    errorText: 'We could not show this page just now. Please try again in a few minutes, or call 311.',
  },
  es: {
    brand: '311',
    skip: 'Saltar al contenido principal',
    languageNav: 'Idioma',
    otherLanguage: 'English',
    caseTitle: (reference: string, status: string) => `Solicitud ${reference}: ${status}`,
    kicker: 'Solicitud de servicio',
    request: 'Solicitud',
    status: 'Estado:',
    progress: 'Avance',
    steps: ['Recibida', 'Asignada', 'Programada o en curso', 'Resuelta'],
    stepDone: '(completado)',
    stepCurrent: '(paso actual)',
    what: 'Qué',
    department: 'Departamento',
    notAssigned: 'Aún sin asignar',
    expected: 'Fecha prevista',
    resolvedOn: 'Resuelta',
    reported: 'Reportada',
    updated: 'Última actualización',
    where: 'Dónde',
    latitude: 'Latitud',
    longitude: 'longitud',
    viewOnMap: 'Ver en el mapa',
    mapNote: '(OpenStreetMap, otro sitio web)',
    yourWords: 'Lo que nos dijo',
    history: 'Qué ha pasado',
    timeZone: 'Las horas son de Nueva York.',
    lookupAnother: 'Buscar otra solicitud',
    followTitle: 'Reciba novedades por correo',
    followHint: 'Le escribiremos cuando esta solicitud avance. Primero le enviamos un enlace para confirmar la dirección.',
    followButton: 'Quiero recibir novedades',
    followEmail: 'Su correo electrónico',
    callUs: '¿Preguntas? Llame al 311 y dé su número de referencia.',
    lookupTitle: 'Siga su solicitud',
    lookupIntro: 'Escriba el número de referencia que recibió y el correo electrónico con el que hizo el reporte.',
    reference: 'Número de referencia',
    referenceHint: 'Nueve dígitos, como 100-000-123',
    email: 'Correo electrónico con el que hizo el reporte',
    submit: 'Ver mi solicitud',
    missing: 'Escriba su número de referencia y su correo electrónico.',
    badFormat: 'Un número de referencia tiene nueve dígitos, como 100-000-123. Revise el número e inténtelo de nuevo.',
    noMatch: 'No encontramos una solicitud con ese número de referencia y ese correo electrónico. Revise ambos e inténtelo de nuevo, o llame al 311.',
    noEmailHint: '¿Hizo el reporte por teléfono o sin correo electrónico? Use el enlace que recibió, o llame al 311.',
    notFoundTitle: 'No encontramos esa solicitud',
    notFoundText: 'Puede que el enlace esté incompleto o vencido. Puede buscar la solicitud con su número de referencia y el correo electrónico con el que hizo el reporte, o llamar al 311.',
    invalidTitle: 'Ese no es un número de referencia',
    invalidText: 'Un número de referencia tiene nueve dígitos, como 100-000-123. El último es un dígito de control, que detecta un dígito mal escrito o dos dígitos intercambiados. Revise el número e inténtelo de nuevo.',
    errorTitle: 'Algo salió mal',
    errorText: 'No pudimos mostrar esta página ahora. Inténtelo de nuevo en unos minutos, o llame al 311.',
  },
} as const;

export type LookupError = 'missing' | 'format' | 'notFound';

export interface LookupForm {
  reference?: string;
  email?: string;
  error?: LookupError;
  /** The language the visitor picked with ?lang= (kept through the form), if any. */
  chosenLanguage?: Language;
}

const other = (language: Language): Language => (language === 'en' ? 'es' : 'en');

const query = (parameters: Record<string, string | undefined>): string => {
  const search = new URLSearchParams(Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return `?${search.toString()}`;
};

const time = (iso: string, text: string): string => `<time datetime="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;

function layout(language: Language, title: string, body: string, switchHref: string): string {
  const t = TEXT[language];
  const target = other(language);
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<title>${escapeHtml(title)} · 311</title>
<link rel="icon" href="data:,">
<style>${STYLES}</style>
</head>
<body>
<a class="skip" href="#main">${escapeHtml(t.skip)}</a>
<header class="top"><div class="bar"><span class="brand">${escapeHtml(t.brand)}</span><nav aria-label="${escapeHtml(t.languageNav)}"><a href="${escapeHtml(switchHref)}" lang="${target}" hreflang="${target}">${escapeHtml(t.otherLanguage)}</a></nav></div></header>
<main id="main" tabindex="-1">
${body}
</main>
<footer><p>${escapeHtml(t.callUs)}</p></footer>
</body>
</html>
`;
}

const PIN_SVG =
  '<svg viewBox="0 0 32 40" aria-hidden="true" focusable="false"><path fill="#b3261e" d="M16 0C7.2 0 0 7 0 15.7 0 27.5 16 40 16 40s16-12.5 16-24.3C32 7 24.8 0 16 0z"/><circle cx="16" cy="15.5" r="6" fill="#ffffff"/></svg>';

const coordinate = (value: number): string => value.toFixed(5).replace('-', '−');

function place(view: PublicCase, language: Language): string {
  const t = TEXT[language];
  const { lat, long, address } = view.location;
  const hasPoint = typeof lat === 'number' && typeof long === 'number';
  const mapUrl = hasPoint
    ? `https://www.openstreetmap.org/?mlat=${lat.toFixed(6)}&mlon=${long.toFixed(6)}#map=18/${lat.toFixed(6)}/${long.toFixed(6)}`
    : address
      ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`
      : undefined;
  if (!hasPoint && !address) return '';
  return `<section aria-labelledby="where">
<h2 id="where">${escapeHtml(t.where)}</h2>
<div class="place">${PIN_SVG}<div>
${address ? `<p>${escapeHtml(address)}</p>` : ''}
${hasPoint ? `<p class="coords">${escapeHtml(`${t.latitude} ${coordinate(lat)}, ${t.longitude} ${coordinate(long)}`)}</p>` : ''}
${mapUrl ? `<p><a href="${escapeHtml(mapUrl)}" rel="noopener noreferrer">${escapeHtml(t.viewOnMap)}<span class="visually-hidden"> ${escapeHtml(t.mapNote)}</span></a></p>` : ''}
</div></div>
</section>`;
}

function steps(status: CaseStatus, language: Language): string {
  const t = TEXT[language];
  const current = STEP_OF[status];
  const items = t.steps.map((label, index) => {
    // When resolved, the last step is both reached and where the case stands.
    const state = index < current ? 'done' : index === current ? 'current' : 'todo';
    const note = state === 'done' ? t.stepDone : state === 'current' ? t.stepCurrent : '';
    return `<li class="${state}"${state === 'current' ? ' aria-current="step"' : ''}>${state === 'done' ? '<span aria-hidden="true">✓ </span>' : ''}${escapeHtml(label)}${note ? ` <span class="visually-hidden">${escapeHtml(note)}</span>` : ''}</li>`;
  });
  return `<ol class="steps" aria-label="${escapeHtml(t.progress)}">${items.join('')}</ol>`;
}

export interface CasePageOptions {
  language: Language;
  /** The tracking token the page was opened with; kept in the language switch link. */
  token: string;
}

/** The public page of one case. Shows only what PublicCase holds: never the reporter's contact. */
export function renderCasePage(view: PublicCase, { language, token }: CasePageOptions): string {
  const t = TEXT[language];
  const status = STATUS_WORDS[view.status][language];
  const fact = (term: string, value: string) => `<div><dt>${escapeHtml(term)}</dt><dd>${value}</dd></div>`;
  const facts = [
    fact(t.what, escapeHtml(view.serviceName)),
    fact(t.department, view.department ? escapeHtml(view.department) : escapeHtml(t.notAssigned)),
    view.status === 'resolved' && view.resolvedAt
      ? fact(t.resolvedOn, time(view.resolvedAt, formatDateTime(view.resolvedAt, language)))
      : view.expectedAt
        ? fact(t.expected, time(view.expectedAt, formatDate(view.expectedAt, language)))
        : '',
    fact(t.reported, time(view.reportedAt, formatDateTime(view.reportedAt, language))),
    fact(t.updated, time(view.updatedAt, formatDateTime(view.updatedAt, language))),
  ].join('\n');
  const timeline = view.events.map((event) => `<li>${time(event.at, formatDateTime(event.at, language))}<p>${escapeHtml(event.what[language])}</p></li>`).join('\n');
  const body = `<p class="kicker">${escapeHtml(t.kicker)}</p>
<h1>${escapeHtml(t.request)} <span class="ref">${escapeHtml(view.reference)}</span></h1>
<p class="status-line"><span>${escapeHtml(t.status)}</span> <strong class="badge badge-${view.status}">${escapeHtml(status)}</strong></p>
<p>${escapeHtml(STATUS_HELP[view.status][language])}</p>
${steps(view.status, language)}
<dl class="facts">
${facts}
</dl>
${place(view, language)}
<section aria-labelledby="told">
<h2 id="told">${escapeHtml(t.yourWords)}</h2>
<p class="description">${escapeHtml(view.description)}</p>
</section>
<section aria-labelledby="happened">
<h2 id="happened">${escapeHtml(t.history)}</h2>
<ol class="timeline">
${timeline}
</ol>
<p class="kicker">${escapeHtml(t.timeZone)} <span class="visually-hidden">(${CITY_TIME_ZONE})</span></p>
</section>
${view.status === 'resolved' || view.status === 'cancelled' ? '' : followForm(view.reference, token, language)}
<p><a href="/track${escapeHtml(query({ lang: language }))}">${escapeHtml(t.lookupAnother)}</a></p>`;
  return layout(language, t.caseTitle(view.reference, status), body, query({ token, lang: other(language) }));
}

/** Anyone with the tracking link may ask for updates; the address is confirmed from its mailbox first. */
function followForm(reference: string, token: string, language: Language): string {
  const t = TEXT[language];
  return `<section aria-labelledby="follow">
<h2 id="follow">${escapeHtml(t.followTitle)}</h2>
<form method="post" action="/track/${escapeHtml(reference)}/followers${escapeHtml(query({ token, lang: language }))}">
<div class="field">
<label for="follow-email">${escapeHtml(t.followEmail)}</label>
<p class="hint" id="follow-hint">${escapeHtml(t.followHint)}</p>
<input type="email" id="follow-email" name="email" autocomplete="email" spellcheck="false" required maxlength="254" aria-describedby="follow-hint">
</div>
<button type="submit">${escapeHtml(t.followButton)}</button>
</form>
</section>`;
}

/** Any other page of the tracking site (reopen, survey, follow), with its header, footer and styles; `body` is HTML the caller escaped. */
export function renderSitePage(language: Language, title: string, body: string): string {
  return layout(language, title, body, query({ lang: other(language) }));
}

function lookupForm(language: Language, form: LookupForm): string {
  const t = TEXT[language];
  const error = form.error === 'missing' ? t.missing : form.error === 'format' ? t.badFormat : form.error === 'notFound' ? t.noMatch : undefined;
  const referenceInvalid = form.error === 'format' || (form.error === 'missing' && !form.reference?.trim());
  const emailInvalid = form.error === 'missing' && !form.email?.trim();
  const describedBy = (hint: string, invalid: boolean) => `${hint}${error && invalid ? ' lookup-error' : ''}`;
  return `${error ? `<p class="error" id="lookup-error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/track">
${form.chosenLanguage ? `<input type="hidden" name="lang" value="${escapeHtml(form.chosenLanguage)}">` : ''}
<div class="field">
<label for="reference">${escapeHtml(t.reference)}</label>
<p class="hint" id="reference-hint">${escapeHtml(t.referenceHint)}</p>
<input type="text" id="reference" name="reference" inputmode="numeric" autocomplete="off" spellcheck="false" required maxlength="20" aria-describedby="${describedBy('reference-hint', referenceInvalid || form.error === 'notFound')}"${referenceInvalid ? ' aria-invalid="true"' : ''} value="${escapeHtml(form.reference ?? '')}">
</div>
<div class="field">
<label for="email">${escapeHtml(t.email)}</label>
<p class="hint" id="email-hint">${escapeHtml(t.noEmailHint)}</p>
<input type="email" id="email" name="email" autocomplete="email" spellcheck="false" required maxlength="254" aria-describedby="${describedBy('email-hint', emailInvalid)}"${emailInvalid ? ' aria-invalid="true"' : ''} value="${escapeHtml(form.email ?? '')}">
</div>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`;
}

/** GET /track: type a reference number and the reporter's email, see the case. */
export function renderLookupPage(language: Language, form: LookupForm = {}): string {
  const t = TEXT[language];
  const body = `<h1>${escapeHtml(t.lookupTitle)}</h1>
<p>${escapeHtml(t.lookupIntro)}</p>
${lookupForm(language, form)}`;
  return layout(language, t.lookupTitle, body, `/track${query({ lang: other(language) })}`);
}

/**
 * A wrong or missing token, or no such case: one page for all of them, so it never tells whether
 * a case exists.
 */
export function renderNotFoundPage(language: Language): string {
  const t = TEXT[language];
  const body = `<h1>${escapeHtml(t.notFoundTitle)}</h1>
<p>${escapeHtml(t.notFoundText)}</p>
<h2>${escapeHtml(t.lookupTitle)}</h2>
${lookupForm(language, {})}`;
  return layout(language, t.notFoundTitle, body, `/track${query({ lang: other(language) })}`);
}

/** A reference that is not nine digits with a valid check digit. */
export function renderInvalidReferencePage(language: Language, input: string): string {
  const t = TEXT[language];
  const body = `<h1>${escapeHtml(t.invalidTitle)}</h1>
<p>${escapeHtml(t.invalidText)}</p>
<h2>${escapeHtml(t.lookupTitle)}</h2>
${lookupForm(language, { reference: input.slice(0, 40) })}`;
  return layout(language, t.invalidTitle, body, `/track${query({ lang: other(language) })}`);
}

/** Anything unexpected (e.g. the database is away): a page, never a stack trace. */
export function renderErrorPage(language: Language): string {
  const t = TEXT[language];
  const body = `<h1>${escapeHtml(t.errorTitle)}</h1>
<p>${escapeHtml(t.errorText)}</p>
<p><a href="/track${escapeHtml(query({ lang: language }))}">${escapeHtml(t.lookupTitle)}</a></p>`;
  return layout(language, t.errorTitle, body, `/track${query({ lang: other(language) })}`);
}
