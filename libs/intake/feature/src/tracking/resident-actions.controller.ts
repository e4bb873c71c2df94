import { Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { parseReference } from '@caseline/intake-domain';
import { Access, CaseLinkAction, linkHolderActor, caseLinkUrl, checkCaseLink, EMAIL_ADDRESS, isTrackingToken, maskEmail, ProblemException, SmtpSender } from '@caseline/service-kit';
import { IntakeService } from '../intake.service';
import { chooseLanguage, isLanguage, Language } from './i18n';
import { actionText, renderExpiredPage, renderFollowPage, renderMessagePage, renderReopenPage, renderSurveyPage } from './resident-actions.page';
import { renderErrorPage, renderNotFoundPage, TRACKING_HEADERS } from './tracking.page';

const one = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** The posted form; Express leaves no body at all when none was sent or its type is not one it parses. */
const formOf = (request: Request): Record<string, unknown> => (request.body ?? {}) as Record<string, unknown>;

/** How long the link confirming an address that asked to follow a case works. */
const FOLLOW_LINK_SECONDS = 7 * 86_400;

type Page = { status: number; html: string };

/**
 * What residents do from the links we email them: reopen a resolved case as "not fixed" (within the
 * reopen window), answer the satisfaction survey (once), and follow a case (asked on its tracking
 * page, confirmed from the mailbox, so nobody can sign up someone else's address). Every link is
 * signed (reference, action, expiry, and the address to follow); opening one only shows a form,
 * confirming it acts. Pages, never problem+json: people read these.
 */
@Controller('track/:reference')
@Access.signed('signed case link')
export class ResidentActionsController {
  private readonly logger = new Logger('ResidentActions');

  constructor(
    private readonly intake: IntakeService,
    private readonly mail: SmtpSender,
  ) {}

  @Get('reopen')
  showReopen(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'reopen', async (reference, language, t) => {
      const view = await this.intake.find(reference);
      return view.status === 'resolved' ? { status: 200, html: renderReopenPage(language, reference, request.originalUrl) } : { status: 409, html: renderMessagePage(language, t.reopenTitle, t.notResolved(reference)) };
    });
  }

  @Post('reopen')
  reopen(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'reopen', async (reference, language, t) => {
      // One click is enough (a mail scanner's GET only shows the form); saying what is wrong helps the department.
      const reason = one(formOf(request).reason)?.trim() || 'The resident says it is not fixed';
      if (reason.length > 2000) return { status: 400, html: renderReopenPage(language, reference, request.originalUrl, { reason, error: t.tooLong }) };
      const refused = await this.conflict(() => this.intake.reopen(reference, reason, linkHolderActor()));
      if (refused) return { status: 409, html: renderMessagePage(language, t.reopenTitle, refused === 'reopen-window-closed' ? t.reopenTooLate(reference) : t.notResolved(reference)) };
      return { status: 200, html: renderMessagePage(language, t.reopenTitle, t.reopened(reference)) };
    });
  }

  @Get('survey')
  showSurvey(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'survey', async (reference, language) => ({ status: 200, html: renderSurveyPage(language, reference, request.originalUrl) }));
  }

  @Post('survey')
  answerSurvey(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'survey', async (reference, language, t) => {
      const body = formOf(request);
      const rating = Number(one(body.rating));
      const comment = one(body.comment)?.trim() || undefined;
      const form = { rating: one(body.rating), comment };
      if (![1, 2, 3, 4, 5].includes(rating)) return { status: 400, html: renderSurveyPage(language, reference, request.originalUrl, { ...form, error: t.chooseRating }) };
      if (comment && comment.length > 2000) return { status: 400, html: renderSurveyPage(language, reference, request.originalUrl, { ...form, error: t.tooLong }) };
      const refused = await this.conflict(() => this.intake.recordSatisfaction(reference, rating as 1 | 2 | 3 | 4 | 5, comment, linkHolderActor()));
      if (refused) return { status: 409, html: renderMessagePage(language, t.surveyTitle, refused === 'already-answered' ? t.answered : t.notResolved(reference)) };
      return { status: 200, html: renderMessagePage(language, t.surveyTitle, t.thanks) };
    });
  }

  /** From the case page (its tracking token): a link to confirm goes to the address given, nothing is recorded yet. */
  @Post('followers')
  async askToFollow(@Req() request: Request, @Res() response: Response): Promise<void> {
    const language = this.language(request);
    const t = actionText(language);
    await this.guarded(response, language, async () => {
      const reference = parseReference(String(request.params.reference ?? ''));
      const token = one(request.query.token);
      if (!reference || !token || !isTrackingToken(reference, token)) return { status: 404, html: renderNotFoundPage(language) };
      const email = one(formOf(request).email)?.trim() ?? '';
      if (!EMAIL_ADDRESS.test(email) || email.length > 254) return { status: 400, html: renderMessagePage(language, t.followTitle, t.invalidEmail) };
      const view = await this.intake.find(reference);
      if (view.status === 'resolved' || view.status === 'cancelled') return { status: 409, html: renderMessagePage(language, t.followTitle, t.closed(reference)) };
      const link = caseLinkUrl(reference, 'follow', Math.floor(Date.now() / 1000) + FOLLOW_LINK_SECONDS, email);
      await this.mail.send({
        to: email,
        subject: language === 'es' ? `Confirme: novedades de la solicitud ${reference}` : `Confirm: updates about request ${reference}`,
        text:
          language === 'es'
            ? `Alguien (probablemente usted) pidió recibir novedades de la solicitud ${reference} en esta dirección.\nPara confirmarlo, abra: ${link}&lang=es\nSi no fue usted, ignore este correo: no recibirá nada más.\n`
            : `Someone (probably you) asked for updates about request ${reference} at this address.\nTo confirm, open: ${link}&lang=en\nIf it was not you, ignore this email: you will get nothing more.\n`,
        messageId: `<follow-${randomUUID()}@caseline>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { status: 200, html: renderMessagePage(language, t.followTitle, t.checkMailbox(maskEmail(email))) };
    });
  }

  @Get('follow')
  showFollow(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'follow', async (reference, language, _t, email) => ({ status: 200, html: renderFollowPage(language, reference, maskEmail(email!), request.originalUrl) }));
  }

  @Post('follow')
  follow(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, 'follow', async (reference, language, t, email) => {
      const refused = await this.conflict(() => this.intake.follow(reference, email!, language, linkHolderActor()));
      if (refused) return { status: 409, html: renderMessagePage(language, t.followTitle, t.closed(reference)) };
      return { status: 200, html: renderMessagePage(language, t.followTitle, t.followed(reference)) };
    });
  }

  /** Checks the link (404 when forged or changed, an "expired" page when late), then runs the action's page. */
  private async answer(
    request: Request,
    response: Response,
    action: CaseLinkAction,
    page: (reference: string, language: Language, t: ReturnType<typeof actionText>, email?: string) => Promise<Page>,
  ): Promise<void> {
    const language = this.language(request);
    await this.guarded(response, language, async () => {
      const reference = parseReference(String(request.params.reference ?? ''));
      const expires = Number(one(request.query.expires));
      const email = action === 'follow' ? one(request.query.email) : undefined;
      const check = reference ? checkCaseLink(reference, action, expires, one(request.query.token) ?? '', email) : 'invalid';
      if (!reference || check === 'invalid') return { status: 404, html: renderNotFoundPage(language) };
      if (check === 'expired') return { status: 410, html: renderExpiredPage(language, expires) };
      return page(reference, language, actionText(language), email);
    });
  }

  /** A case's domain refusal (409) as its code, for the page to explain; other errors go on. */
  private async conflict(act: () => Promise<unknown>): Promise<string | undefined> {
    try {
      await act();
      return undefined;
    } catch (error) {
      if (error instanceof ProblemException && error.problem.status === 409) return String(error.problem.code ?? 'conflict');
      throw error;
    }
  }

  private language(request: Request): Language {
    const chosen = one(request.query.lang);
    return chooseLanguage({ query: isLanguage(chosen) ? chosen : undefined, acceptLanguage: request.headers['accept-language'] });
  }

  private async guarded(response: Response, language: Language, handle: () => Promise<Page>): Promise<void> {
    let page: Page;
    try {
      page = await handle();
    } catch (error) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      page = { status: 500, html: renderErrorPage(language) };
    }
    for (const [name, value] of Object.entries(TRACKING_HEADERS)) response.setHeader(name, value);
    response.status(page.status).setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Language', language);
    response.send(page.html);
  }
}
