import { createHmac, timingSafeEqual } from 'node:crypto';
import { env, secret } from '@caseline/service-kit';

/**
 * Every message carries a link that stops messages to its recipient on its channel. The link names
 * the message (its outbox id, which knows the channel, the recipient's keyed hash and the case) and
 * is signed with NOTIFICATION_LINK_SECRET; short, because it also goes in text messages. It does
 * not expire: an unsubscribe link must keep working.
 */
const key = () => secret('NOTIFICATION_LINK_SECRET', 'caseline-development-notification-links');
const sign = (id: string) => createHmac('sha256', key()).update(`unsubscribe:${id}`).digest('base64url').slice(0, 16);

const toToken = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
const fromToken = (token: string): string | undefined => {
  const hex = Buffer.from(token, 'base64url').toString('hex');
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : undefined;
};

export const unsubscribeUrl = (notificationId: string): string =>
  `${env('NOTIFICATION_PUBLIC_URL', `http://127.0.0.1:${process.env.NOTIFICATION_PORT ?? 3003}`)}/u/${toToken(notificationId)}.${sign(notificationId)}`;

/** The message an unsubscribe link names, or undefined when the link was changed or forged. */
export function notificationOfLink(link: string): string | undefined {
  const [token, signature] = link.split('.');
  const id = token && /^[\w-]{22}$/.test(token) ? fromToken(token) : undefined;
  if (!id || !signature) return undefined;
  const expected = Buffer.from(sign(id));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
