import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WorkOrderStatus } from '@caseline/case-contracts';

/** What a department can do from its email, and the status each records. */
export const EMAIL_ACTIONS = {
  acknowledge: 'acknowledged',
  schedule: 'scheduled',
  complete: 'completed',
  reject: 'rejected',
} as const satisfies Record<string, WorkOrderStatus>;

export type EmailAction = keyof typeof EMAIL_ACTIONS;

export const isEmailAction = (value: string): value is EmailAction => Object.hasOwn(EMAIL_ACTIONS, value);

export interface EmailLink {
  department: string;
  workOrderId: string;
  action: EmailAction;
  /** Unix seconds after which the link no longer works. */
  expires: number;
}

/** Why a link is refused (401): forged, changed, or expired. */
export class EmailLinkRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmailLinkRefused';
  }
}

const mac = (secret: string, link: EmailLink): string =>
  createHmac('sha256', secret).update(`caseline-email-link.${link.department}.${link.workOrderId}.${link.action}.${link.expires}`).digest('hex');

/** The link's path and query: everything it does is in what it signs, so no part can be changed. */
export function emailLinkPath(secret: string, link: EmailLink): string {
  const path = `/v1/department-email/${encodeURIComponent(link.department)}/work-orders/${encodeURIComponent(link.workOrderId)}/${link.action}`;
  return `${path}?expires=${link.expires}&signature=${mac(secret, link)}`;
}

export function verifyEmailLink(secret: string, link: EmailLink, signature: string | undefined, now = Date.now()): void {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature) || !Number.isInteger(link.expires)) throw new EmailLinkRefused('This link is incomplete: open it exactly as the email gave it');
  if (!timingSafeEqual(Buffer.from(mac(secret, link), 'hex'), Buffer.from(signature, 'hex'))) throw new EmailLinkRefused('This link is not one Caseline sent (it was changed or forged)');
  if (now / 1000 > link.expires) throw new EmailLinkRefused(`This link expired on ${new Date(link.expires * 1000).toISOString().slice(0, 10)}: use a newer email, or ask 311 for a new one`);
}
