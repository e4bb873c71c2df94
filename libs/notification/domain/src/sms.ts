// Text messages are paid and read by segment: 160 GSM-7 characters (153 each when a message takes
// several), or 70 UCS-2 code units (67 each) as soon as one character is outside GSM-7 — "á" is, so
// much Spanish is. A message is fitted into a few segments by shortening its free text (a note, a
// question), never the reference or the links.

const GSM7_BASIC = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);
const GSM7_EXTENDED = new Set([...'^{}\\[~]|€\f']);

export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7, extended characters count two) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSize(text: string): SmsSize {
  const characters = [...text];
  if (characters.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENDED.has(c))) {
    const units = characters.reduce((sum, c) => sum + (GSM7_EXTENDED.has(c) ? 2 : 1), 0);
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Three dots, not "…": that character is not GSM-7 and would halve what a segment holds. */
const ELLIPSIS = '...';

/** Cuts free text to at most `length` characters at a word boundary where one is near, with an ellipsis. */
export function shorten(text: string, length: number): string {
  const characters = [...text];
  if (characters.length <= length) return text;
  if (length <= ELLIPSIS.length) return ELLIPSIS;
  const cut = characters.slice(0, length - ELLIPSIS.length).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space >= cut.length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}${ELLIPSIS}`;
}

/**
 * The longest message `render` makes within `maxSegments`: first whole; else with its free text
 * (the fields named) shortened as little as needed; else, when even that is too long, the first
 * part cut, keeping the end (the links). `render` gets the free text to use.
 */
export function fitSms(render: (freeText: Record<string, string>) => string, freeText: Record<string, string>, maxSegments: number): string {
  const whole = render(freeText);
  if (smsSize(whole).segments <= maxSegments) return whole;
  const fields = Object.keys(freeText).filter((k) => freeText[k].length > 0);
  const longest = Math.max(0, ...fields.map((k) => [...freeText[k]].length));
  // The largest length the free text may keep: binary search on the longest field's length.
  let low = 0;
  let high = longest;
  const at = (length: number) => render(Object.fromEntries(fields.map((k) => [k, length === 0 ? '' : shorten(freeText[k], length)])));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (smsSize(at(middle)).segments <= maxSegments) low = middle;
    else high = middle - 1;
  }
  const fitted = at(low);
  if (smsSize(fitted).segments <= maxSegments) return fitted;
  // Still too long without any free text: shorten the words before the links, keeping their start
  // (the reference) and the links whole.
  const links = fitted.indexOf(' http');
  if (links > 0) {
    const words = fitted.slice(0, links);
    const tail = fitted.slice(links);
    for (let length = [...words].length - 1; length > 12; length -= 1) {
      const candidate = `${shorten(words, length)}${tail}`;
      if (smsSize(candidate).segments <= maxSegments) return candidate;
    }
  }
  // Nothing else left: keep the end (the links), cut the start.
  const characters = [...fitted];
  let keep = characters.length;
  while (keep > 0 && smsSize(`${ELLIPSIS}${characters.slice(characters.length - keep).join('')}`).segments > maxSegments) keep -= 1;
  return `${ELLIPSIS}${characters.slice(characters.length - keep).join('')}`;
}
