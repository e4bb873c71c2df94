import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { secret } from '@caseline/service-kit';

/** A text message as the provider took it. */
export interface CaughtSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  receivedAt: string;
}

/** A partner's webhook call as it arrived: its raw body and the headers that matter to check it. */
export interface CaughtWebhook {
  partner: string;
  delivery?: string;
  signature?: string;
  body: string;
  receivedAt: string;
}

/** Twilio's test numbers: one that is not a valid number, one that cannot receive texts. */
const INVALID_NUMBER = '+15005550001';
const NOT_MOBILE = '+15005550009';

/**
 * The rest of the outside world notifications reach, for development and tests: an SMS provider
 * shaped like Twilio's Messages API (basic auth, form-encoded To/From/Body, 201 with a sid; 400
 * with its codes for bad numbers; an Idempotency-Key answered once), and partners' webhook
 * endpoints that keep what they receive.
 */
@Controller()
export class OutsideWorldController {
  private texts: CaughtSms[] = [];
  private readonly byKey = new Map<string, CaughtSms>();
  private webhooks: CaughtWebhook[] = [];
  private down = false;

  @Post('sms/2010-04-01/Accounts/:account/Messages.json')
  sendSms(
    @Param('account') account: string,
    @Headers('authorization') authorization: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const form = request.body as Record<string, string | undefined>;
    const expected = `Basic ${Buffer.from(`${account}:${secret('SMS_AUTH_TOKEN', 'development-sms-token')}`).toString('base64')}`;
    if (authorization !== expected) return void response.status(401).json({ code: 20003, message: 'Authenticate', status: 401 });
    if (this.down) return void response.status(503).json({ code: 20503, message: 'Service unavailable', status: 503 });
    const known = key ? this.byKey.get(key) : undefined;
    if (known) return void response.status(201).json({ ...known, status: 'queued' });
    const { To: to, From: from, Body: body } = form;
    if (!to || !/^\+[1-9]\d{7,14}$/.test(to) || to === INVALID_NUMBER) return void response.status(400).json({ code: 21211, message: `The 'To' number ${to ?? ''} is not a valid phone number.`, status: 400 });
    if (to === NOT_MOBILE) return void response.status(400).json({ code: 21614, message: `'To' number ${to} is not a mobile number`, status: 400 });
    if (!from || !body || body.length > 1600) return void response.status(400).json({ code: 21602, message: 'Message body is required and at most 1600 characters.', status: 400 });
    const text: CaughtSms = { sid: `SM${randomUUID().replace(/-/g, '')}`, to, from, body, receivedAt: new Date().toISOString() };
    this.texts.push(text);
    if (key) this.byKey.set(key, text);
    response.status(201).json({ ...text, status: 'queued' });
  }

  @Get('sms/messages')
  listSms(@Query('to') to?: string): CaughtSms[] {
    return to ? this.texts.filter((t) => t.to === to) : this.texts;
  }

  @Delete('sms/messages')
  @HttpCode(204)
  clearSms(): void {
    this.texts = [];
    this.byKey.clear();
  }

  /** The provider goes down (503) or comes back. */
  @Put('sms/control')
  control(@Req() request: Request): { down: boolean } {
    this.down = (request.body as { down?: unknown }).down === true;
    return { down: this.down };
  }

  @Post('webhooks/:partner')
  @HttpCode(204)
  receiveWebhook(@Param('partner') partner: string, @Headers('caseline-delivery') delivery: string | undefined, @Headers('caseline-signature') signature: string | undefined, @Req() request: Request & { rawBody?: Buffer }): void {
    this.webhooks.push({ partner, delivery, signature, body: request.rawBody?.toString('utf8') ?? '', receivedAt: new Date().toISOString() });
  }

  @Get('webhooks/:partner')
  listWebhooks(@Param('partner') partner: string): CaughtWebhook[] {
    return this.webhooks.filter((w) => w.partner === partner);
  }
}
