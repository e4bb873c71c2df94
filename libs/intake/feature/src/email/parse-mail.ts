import { ParsedMail, simpleParser } from 'mailparser';

/** Parsing a 10 MiB message takes well under a second; one that has not ended by then never will. */
export const PARSE_DEADLINE_MS = 15_000;

/** A `message/rfc822` content type, at the start of a header line. */
const FORWARDED_MESSAGE = /^(content-type:[ \t]*)message\/rfc822/gim;

/**
 * Parses a message, never waiting for ever. mailparser (3.7–3.14) never settles on some messages
 * with an inline `message/rfc822` part that is empty (found by the SMTP fuzz test); the sender
 * would wait out its timeout, get a 421 and retry for days. Such a message is parsed again with
 * its forwarded messages as plain attachments; `undefined` when even that does not end.
 */
export async function parseMail(raw: Buffer, deadlineMs = PARSE_DEADLINE_MS): Promise<ParsedMail | undefined> {
  const parsed = await within(deadlineMs, simpleParser(raw));
  if (parsed) return parsed;
  const text = raw.toString('latin1');
  const unforwarded = text.replace(FORWARDED_MESSAGE, '$1application/octet-stream');
  return unforwarded === text ? undefined : within(deadlineMs, simpleParser(Buffer.from(unforwarded, 'latin1')));
}

async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
