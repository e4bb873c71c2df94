import { Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseReference } from '@caseline/intake-domain';
import { Access, isTrackingToken, trackingToken } from '@caseline/service-kit';
import { chooseLanguage, isLanguage, Language } from './i18n';
import { PublicCases } from './public-case';
import { renderCasePage, renderErrorPage, renderInvalidReferencePage, renderLookupPage, renderNotFoundPage, TRACKING_HEADERS } from './tracking.page';

/** A single string parameter; repeated or nested ones (?a=1&a=2, a[b]=1) count as absent. */
const one = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const caseLink = (reference: string, token: string, language?: Language): string =>
  `/track/${encodeURIComponent(reference)}?${new URLSearchParams({ token, ...(language ? { lang: language } : {}) }).toString()}`;

/**
 * The public tracking pages, in HTML. Every answer, error or not, is written here with @Res():
 * a thrown HttpException would reach the global ProblemDetailsFilter and come out as problem+json.
 */
@Controller('track')
@Access.public()
export class TrackingController {
  private readonly logger = new Logger('Tracking');

  constructor(private readonly cases: PublicCases) {}

  /** The lookup form; with ?reference=&token= or ?reference=&email= it goes on to the case. */
  @Get()
  async lookup(@Req() request: Request, @Res() response: Response): Promise<void> {
    const chosen = this.chosenLanguage(request.query.lang);
    const language = chooseLanguage({ query: chosen, acceptLanguage: request.headers['accept-language'] });
    await this.guarded(response, language, async () => {
      const reference = one(request.query.reference);
      const token = one(request.query.token);
      const email = one(request.query.email);
      if (reference === undefined && token === undefined && email === undefined) {
        return this.html(response, 200, language, renderLookupPage(language, { chosenLanguage: chosen }));
      }
      if (token !== undefined && reference !== undefined) {
        const canonical = parseReference(reference);
        if (!canonical) return this.html(response, 400, language, renderInvalidReferencePage(language, reference));
        // The case page checks the token, and answers a wrong one like a missing case.
        return this.redirect(response, caseLink(canonical, token, chosen));
      }
      return this.findByEmail(response, language, chosen, reference, email);
    });
  }

  /** The lookup form posted (application/x-www-form-urlencoded): reference + reporter email. */
  @Post()
  async lookupByEmail(@Req() request: Request, @Res() response: Response): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const chosen = this.chosenLanguage(body.lang ?? request.query.lang);
    const language = chooseLanguage({ query: chosen, acceptLanguage: request.headers['accept-language'] });
    await this.guarded(response, language, () => this.findByEmail(response, language, chosen, one(body.reference), one(body.email)));
  }

  /** A case's page: only with its tracking token. */
  @Get(':reference')
  async casePage(@Req() request: Request, @Res() response: Response): Promise<void> {
    const chosen = this.chosenLanguage(request.query.lang);
    const acceptLanguage = request.headers['accept-language'];
    const fallback = chooseLanguage({ query: chosen, acceptLanguage });
    await this.guarded(response, fallback, async () => {
      const input = String(request.params.reference ?? '');
      const reference = parseReference(input);
      if (!reference) return this.html(response, 400, fallback, renderInvalidReferencePage(fallback, input));
      const token = one(request.query.token);
      // Checked before reading anything: a wrong token cannot tell a real case from a missing one.
      if (!token || !isTrackingToken(reference, token)) return this.html(response, 404, fallback, renderNotFoundPage(fallback));
      const view = await this.cases.find(reference);
      if (!view) return this.html(response, 404, fallback, renderNotFoundPage(fallback));
      const language = chooseLanguage({ query: chosen, reporter: view.language, acceptLanguage });
      return this.html(response, 200, language, renderCasePage(view, { language, token }));
    });
  }

  private async findByEmail(response: Response, language: Language, chosen: Language | undefined, referenceInput: string | undefined, emailInput: string | undefined): Promise<void> {
    const form = { reference: referenceInput, email: emailInput, chosenLanguage: chosen };
    if (!referenceInput?.trim() || !emailInput?.trim()) return this.html(response, 400, language, renderLookupPage(language, { ...form, error: 'missing' }));
    const reference = parseReference(referenceInput);
    if (!reference) return this.html(response, 400, language, renderLookupPage(language, { ...form, error: 'format' }));
    // The same answer for "no such case", "no email on it" and "another email": nothing to fish with.
    if (!(await this.cases.matchesReporterEmail(reference, emailInput))) {
      return this.html(response, 404, language, renderLookupPage(language, { ...form, error: 'notFound' }));
    }
    return this.redirect(response, caseLink(reference, trackingToken(reference), chosen));
  }

  private chosenLanguage(value: unknown): Language | undefined {
    return isLanguage(value) ? value : undefined;
  }

  private async guarded(response: Response, language: Language, handle: () => Promise<void>): Promise<void> {
    try {
      await handle();
    } catch (error) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      if (!response.headersSent) this.html(response, 500, language, renderErrorPage(language));
    }
  }

  private headers(response: Response): Response {
    for (const [name, value] of Object.entries(TRACKING_HEADERS)) response.setHeader(name, value);
    response.setHeader('Vary', 'Accept-Language');
    return response;
  }

  private html(response: Response, status: number, language: Language, page: string): void {
    this.headers(response).status(status).setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Language', language);
    response.send(page);
  }

  private redirect(response: Response, location: string): void {
    this.headers(response).status(303).setHeader('Location', location);
    response.end();
  }
}
