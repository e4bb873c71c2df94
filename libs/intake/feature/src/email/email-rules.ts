import { parseReference } from '@caseline/intake-domain';

/*
 * The email channel's reading of a message, as pure functions: is it a request at all, which case
 * does it quote, what did the resident newly write, in which language, where, and about what.
 */

/** What an automatic-message check needs of a message: its envelope sender, From, headers and subject. */
export interface MessageTraits {
  /** MAIL FROM; empty for the null sender (<>) that bounces use. */
  envelopeSender: string;
  fromAddress?: string;
  /** Our own request address: mail from it is one of our replies come back. */
  ownAddress: string;
  /** Header values by lower-case name. */
  header: (name: string) => string | undefined;
  subject: string;
}

const AUTOMATIC_SUBJECT =
  /^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|undeliverable|undelivered mail|delivery status notification|mail delivery (?:failed|failure|subsystem)|returned mail|delivery failure|respuesta autom[aá]tica|fuera de la oficina|no se puede entregar|mensaje no entregado)\b/i;

/**
 * Why a message is not a resident's request (a bounce, an auto-reply, bulk mail, or one of our own
 * replies come back), or undefined when it may be one. Such mail opens no case and gets no reply:
 * answering an auto-responder is how mail loops start (RFC 3834).
 */
export function automaticMessage(message: MessageTraits): string | undefined {
  if (message.envelopeSender.trim() === '') return 'null sender (a bounce)';
  const senders = [message.envelopeSender, message.fromAddress ?? ''].map((address) => address.split('@')[0].toLowerCase());
  if (senders.some((local) => local === 'mailer-daemon' || local === 'postmaster')) return 'mailer-daemon sender (a bounce)';
  if ([message.envelopeSender, message.fromAddress ?? ''].some((address) => address.toLowerCase() === message.ownAddress.toLowerCase())) return 'from our own address';
  if (/^multipart\/report\b/i.test(message.header('content-type') ?? '')) return 'delivery report';
  const autoSubmitted = message.header('auto-submitted')?.trim().toLowerCase();
  // Our own replies say "auto-replied": one coming back is a loop, not a request.
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted.split(';')[0]}`;
  if (/^\s*(bulk|junk|list)\b/i.test(message.header('precedence') ?? '')) return 'bulk mail (Precedence)';
  if (message.header('x-autoreply') !== undefined || message.header('x-autorespond') !== undefined) return 'auto-reply header';
  if (AUTOMATIC_SUBJECT.test(message.subject.replace(/^\s*(?:re|aw|fw|fwd)\s*:\s*/i, ''))) return 'auto-reply subject';
  return undefined;
}

/** Every valid reference (check digit included) in the texts, canonical, in order of appearance. */
export function quotedReferences(...texts: string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/(?<!\d)(\d{3})[-\s.]?(\d{3})[-\s.]?(\d{3})(?!\d)/g)) {
      const reference = parseReference(match[1] + match[2] + match[3]);
      if (reference && !found.includes(reference)) found.push(reference);
    }
  }
  return found;
}

/**
 * Text as a case may hold it: no NUL or other control characters (PostgreSQL refuses NUL), no lone
 * UTF-16 surrogates (a UTF-16 part or encoded word can carry them; intake refuses them), line ends as \n.
 */
export const cleanText = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');

/** At most `max` UTF-16 units of a text, never ending in half a surrogate pair. */
export const clip = (text: string, max: number): string => (text.length <= max ? text : text.slice(0, /[\ud800-\udbff]/.test(text[max - 1]) ? max - 1 : max));

const REPLY_HEADER = [
  /^On\b.{0,300}\bwrote:\s*$/i, // Gmail, Apple Mail, Thunderbird
  /^El\b.{0,300}\bescribi[oó]:\s*$/i,
  /^-{2,}\s*(?:original message|mensaje original|forwarded message|mensaje reenviado)\s*-{2,}/i,
  /^_{10,}\s*$/, // Outlook's rule above the quoted message
];
const OUTLOOK_HEADER = /^(?:from|de):\s.+/i;
const OUTLOOK_HEADER_NEXT = /^(?:sent|date|enviado|fecha|to|para):\s/i;
const SIGNATURE = [/^--\s?$/, /^(?:sent from my|enviado desde mi|get outlook for|obtener outlook para)\b/i];

/**
 * What the resident newly wrote: the text above the quoted message ("On … wrote:", "> " lines,
 * Outlook's header block) and above the signature ("-- ", "Sent from my phone").
 */
export function newText(text: string): string {
  const lines = cleanText(text).split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    const withNext = `${line} ${lines[i + 1]?.trim() ?? ''}`; // Gmail wraps its "On … wrote:" line
    if (REPLY_HEADER.some((pattern) => pattern.test(line.trim()) || pattern.test(withNext.trim()))) break;
    if (OUTLOOK_HEADER.test(line.trim()) && OUTLOOK_HEADER_NEXT.test(lines[i + 1]?.trim() ?? '')) break;
    if (SIGNATURE.some((pattern) => pattern.test(line.trim()))) break;
    if (line.trimStart().startsWith('>')) continue;
    kept.push(line);
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

const SPANISH_WORDS = new Set(
  'el la los las del que y en un una por para con es está están hay mi su muy pero hola gracias favor buenos buenas días desde hace semana calle luz basura agua esquina frente casa vecino vecinos señor señora tengo tiene sigue roto rota'.split(' '),
);
const ENGLISH_WORDS = new Set('the and is are of to in on at for with my there this it has have been not please thank thanks hello hi near front corner street still broken since'.split(' '));

/** Spanish when the text reads more Spanish than English (a few common words, ñ ¿ ¡ and accents); else English. */
export function guessLanguage(text: string): 'en' | 'es' {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const spanish = words.filter((word) => SPANISH_WORDS.has(word)).length + (/[ñ¿¡]/i.test(text) ? 2 : 0) + (/[áéíóú]/i.test(text) ? 1 : 0);
  const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
  return spanish > english ? 'es' : 'en';
}

const ADDRESS_LINE = /^\s*(?:address|location|where|direcci[oó]n|ubicaci[oó]n|lugar)\s*:\s*(\S.{2,199}?)\s*$/im;
const STREET_TYPES = 'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Place|Pl|Lane|Ln|Drive|Dr|Way|Court|Ct|Terrace|Parkway|Pkwy|Broadway|Plaza';
// A house number, up to three name words (not words like "on", "times" that follow a count), a street type.
// Words of at most 40 characters: the address stays within intake's 300 ("1 aaa…aaa St" is no street).
const STREET_ADDRESS = new RegExp(`\\b\\d{1,5}\\s+(?:(?!(?:on|at|in|of|and|or|near|by|to|from|for|the|times|days|weeks|hours|years|people|cars)\\b)[A-Za-z0-9][\\w'.-]{0,39}\\s+){0,3}?(?:${STREET_TYPES})\\b`, 'i');

/**
 * The address the resident wrote: a line "Address: …" / "Dirección: …", else the first
 * house-number-and-street it contains ("350 5th Ave"). Undefined when there is none: email gives
 * no coordinates, and we never guess a place.
 */
export function findAddress(text: string): string | undefined {
  const labelled = ADDRESS_LINE.exec(text);
  if (labelled) return labelled[1];
  return STREET_ADDRESS.exec(text)?.[0].replace(/\s+/g, ' ');
}

/** What keyword matching needs of a request type. */
export interface MatchableService {
  code: string;
  name: string;
  keywords: string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mentions = (text: string, term: string): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(term).replace(/\s+/g, '\\s+')}(?:s|es)?(?![\\p{L}\\p{N}])`, 'iu').test(text);

/**
 * The request type the text is clearly about, or undefined. Each type scores the words of its
 * name and keywords found in the text (a two-word keyword counts two: "traffic light" says more
 * than "light"); the best score must beat every other type's, otherwise it is left to triage.
 */
export function matchServiceType(services: MatchableService[], text: string): string | undefined {
  const scored = services
    .map((service) => {
      const terms = [...new Set([service.name, ...service.keywords].map((term) => term.trim().toLowerCase()).filter(Boolean))];
      return { code: service.code, score: terms.filter((term) => mentions(text, term)).reduce((sum, term) => sum + term.split(/\s+/).length, 0) };
    })
    .filter((service) => service.score > 0)
    .sort((a, b) => b.score - a.score);
  if (scored.length === 0 || scored[1]?.score === scored[0].score) return undefined;
  return scored[0].code;
}
