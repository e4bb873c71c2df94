import { departmentSecret, EmailRefused, OutgoingEmail } from '@caseline/service-kit';
import { AdapterContext, AdapterSettings, DepartmentSystemClient, IDENTITY_STATUSES, registerAdapter, StatusMap, validateEnvNames, WorkOrderRefusedError, WorkOrderRequest, WorkOrderUpdate } from '../../adapter-contract';
import { EMAIL_ACTIONS, EmailAction, EmailLink, emailLinkPath, verifyEmailLink } from './email-links';

/** A department that works from its inbox: one clear email per work order, with signed links to act on it. */
export interface EmailSettings extends AdapterSettings {
  /** The department's work-order mailbox. */
  to: string;
  /** Environment variable that overrides `to` in a deployment. */
  toEnv?: string;
  /** How long the links in an email work (default 30 days). */
  linkValidDays?: number;
}

const ACTION_LABELS: Record<EmailAction, string> = {
  acknowledge: 'Acknowledge (we have it)',
  schedule: 'Schedule (we will do it on a date)',
  complete: 'Complete (done, with a note)',
  reject: 'Reject (not ours, with the reason)',
};

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The work order id is ours, derived from the idempotency key, and the message's Message-ID is
 * stable too: an email resent after a crash between sending and recording is the same work order,
 * and mail clients show it once.
 */
export const emailWorkOrderId = (idempotencyKey: string): string => `E-${idempotencyKey.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
const messageId = (key: string) => `<work-order-${key}@caseline.local>`;

export class EmailDepartmentSystem implements DepartmentSystemClient {
  readonly statuses = new StatusMap(IDENTITY_STATUSES);
  private readonly secret: string;
  private readonly to: string;

  constructor(
    private readonly department: string,
    private readonly settings: EmailSettings,
    private readonly context: AdapterContext,
  ) {
    this.secret = departmentSecret(department, settings.secretEnv as string | undefined);
    this.to = (settings.toEnv && process.env[settings.toEnv]) || settings.to;
  }

  async createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }> {
    const workOrderId = emailWorkOrderId(idempotencyKey);
    const expires = Math.floor(Date.now() / 1000) + (this.settings.linkValidDays ?? 30) * 86_400;
    const location = request.location as { lat?: number; long?: number; address?: string };
    const where = [location.address, location.lat !== undefined ? `${location.lat}, ${location.long}` : undefined].filter(Boolean).join(' — ') || 'no location given';
    const links = (Object.keys(EMAIL_ACTIONS) as EmailAction[]).map((action) => `  ${ACTION_LABELS[action]}:\n  ${this.link({ department: this.department, workOrderId, action, expires })}\n`);
    await this.send({
      to: this.to,
      subject: `Work order ${workOrderId}: ${request.serviceName} — due ${this.date(request.dueAt)}`,
      messageId: messageId(idempotencyKey),
      text: [
        `A new work order for ${this.settings.name} from the city's 311 service.`,
        '',
        `Work order:  ${workOrderId}`,
        `311 case:    ${request.caseReference}`,
        `Request:     ${request.serviceName} (${request.serviceCode})`,
        ...(request.priority ? [`Priority:    ${request.priority}`] : []),
        `Due:         ${this.date(request.dueAt)}`,
        `Where:       ${where}`,
        '',
        'What the resident reported:',
        request.description,
        ...(request.mediaUrl ? ['', `Photo: ${request.mediaUrl}`] : []),
        '',
        `To act on it, open a link below (each asks you to confirm). They work until ${this.date(new Date(expires * 1000).toISOString())}.`,
        '',
        ...links,
        'Replies to this email are not read. The resident is kept informed by 311 as you act.',
      ].join('\n'),
    });
    return { workOrderId };
  }

  async sendUpdate(idempotencyKey: string, workOrderId: string, update: WorkOrderUpdate, workOrder: { idempotencyKey: string; request: WorkOrderRequest }): Promise<void> {
    const cancel = update.kind === 'cancel';
    await this.send({
      to: this.to,
      subject: cancel ? `Cancelled: work order ${workOrderId} (311 case ${workOrder.request.caseReference})` : `More information: work order ${workOrderId} (311 case ${workOrder.request.caseReference})`,
      messageId: messageId(idempotencyKey),
      inReplyTo: messageId(workOrder.idempotencyKey),
      text: cancel
        ? `The city cancelled 311 case ${workOrder.request.caseReference}: ${update.reason ?? 'no reason given'}.\n\nNo one needs to go out for work order ${workOrderId}.`
        : [`The resident added information to 311 case ${workOrder.request.caseReference} (work order ${workOrderId}):`, '', update.text ?? '', ...(update.mediaUrl ? ['', `Photo: ${update.mediaUrl}`] : [])].join('\n'),
    });
  }

  /** Checks a link from one of our emails (401 material if forged, changed or expired). */
  verify(link: EmailLink, signature: string | undefined): void {
    verifyEmailLink(this.secret, link, signature);
  }

  get systemName(): string {
    return this.settings.name;
  }

  private link(link: EmailLink): string {
    return `${this.context.publicUrl}${emailLinkPath(this.secret, link)}`;
  }

  private date(iso: string): string {
    return new Intl.DateTimeFormat('en-US', { timeZone: this.context.timeZone, dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso));
  }

  /** A mailbox that refuses the message for good is a work order the department can never get. */
  private async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.context.sendEmail(email);
    } catch (error) {
      if (error instanceof EmailRefused) throw new WorkOrderRefusedError(error.reason);
      throw error;
    }
  }
}

registerAdapter({
  name: 'email',
  validate(settings) {
    const { to, linkValidDays } = settings as EmailSettings;
    const problems = validateEnvNames(settings, ['toEnv']);
    if (typeof to !== 'string' || !EMAIL_PATTERN.test(to)) problems.push(`to "${String(to)}" must be the department's email address`);
    if (linkValidDays !== undefined && (!Number.isInteger(linkValidDays) || linkValidDays < 1 || linkValidDays > 365)) problems.push('linkValidDays must be a whole number of days from 1 to 365');
    return problems;
  },
  create: (department, settings, context) => new EmailDepartmentSystem(department, settings as EmailSettings, context),
});
