import { Injectable } from '@nestjs/common';
import { loadCityConfig, Partner } from '@caseline/city-config';
import { EmailRefused, env, secret, SIGNATURE_HEADER, signBody, SmtpSender, toE164, tracedFetch } from '@caseline/service-kit';

/** The recipient's side refused the message for good (no such mailbox, not a mobile number): retrying cannot help. */
export class DeliveryRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeliveryRefused';
  }
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** Stable per message: a resend after a crash is recognisably the same. */
  messageId: string;
  unsubscribeUrl: string;
  replyTo?: string;
}

/** Email over SMTP, with one-click unsubscribe headers (RFC 8058) that mail clients show as a button. */
@Injectable()
export class EmailChannel {
  constructor(private readonly smtp: SmtpSender) {}

  async send(message: EmailMessage): Promise<void> {
    try {
      await this.smtp.send({
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: message.messageId,
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        headers: { 'List-Unsubscribe': `<${message.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      if (error instanceof EmailRefused) throw new DeliveryRefused(error.reason);
      throw error;
    }
  }
}

/**
 * Text messages through a provider's HTTP API, shaped like the common ones (Twilio's Messages
 * resource: form-encoded To/From/Body, HTTP basic auth with the account and its token). SMS_API_URL
 * points at the provider (the local mail catcher plays one in development and tests). The message
 * id goes as Idempotency-Key, for providers that honour one.
 */
@Injectable()
export class SmsChannel {
  private readonly apiUrl = env('SMS_API_URL', 'http://127.0.0.1:3025/sms').replace(/\/+$/, '');
  private readonly account = env('SMS_ACCOUNT_SID', 'ACdemo');
  private readonly token = secret('SMS_AUTH_TOKEN', 'development-sms-token');
  private readonly from = env('SMS_FROM', '+15553110311');

  async send(id: string, to: string, body: string): Promise<void> {
    const number = toE164(to);
    if (!number) throw new DeliveryRefused('not a phone number');
    const response = await tracedFetch(`${this.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(this.account)}/Messages.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${this.account}:${this.token}`).toString('base64')}`,
        'idempotency-key': id,
      },
      body: new URLSearchParams({ To: number, From: this.from, Body: body }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json().catch(() => ({}))) as { code?: number; message?: string };
    if (response.ok) return;
    // 400 with the provider's code for a number that cannot take texts: refused for good. Others
    // (its outage, our credentials, its rate limit) wait and are retried.
    if (response.status === 400) throw new DeliveryRefused(`SMS provider ${answer.code ?? 400}: ${(answer.message ?? 'refused').replace(/\+?\d{6,}/g, 'the number')}`);
    throw new Error(`SMS provider answered ${response.status}`);
  }
}

/**
 * Signed webhooks to portals and partner systems (partners.json), with the department adapters'
 * signing scheme (Caseline-Signature over the body, with the partner's secret). Every non-2xx
 * answer is retried: the partner's endpoint is outside our control, and a retry is harmless
 * (each delivery carries its id in Caseline-Delivery for the partner to drop repeats).
 */
@Injectable()
export class WebhookChannel {
  private readonly partners = new Map<string, Partner>(loadCityConfig().partners.map((p) => [p.name, p]));

  has(partner: string): boolean {
    return this.partners.has(partner);
  }

  /** For the history: the partner's name is all it shows. */
  async send(id: string, partnerName: string, payload: unknown): Promise<void> {
    const partner = this.partners.get(partnerName);
    if (!partner) throw new DeliveryRefused(`no webhook configured for ${partnerName}`);
    const url = (partner.webhookUrlEnv && process.env[partner.webhookUrlEnv]) || partner.webhookUrl;
    const body = JSON.stringify(payload);
    const key = secret(partner.secretEnv ?? `${partner.name.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET`, `development-only-webhook-secret-of-${partner.name}`);
    const response = await tracedFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'caseline-delivery': id, [SIGNATURE_HEADER]: signBody(key, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`${partner.name}'s webhook answered ${response.status}`);
  }
}
