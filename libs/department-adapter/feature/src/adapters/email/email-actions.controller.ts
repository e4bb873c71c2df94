import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { Access, escapeHtml, htmlPage as page, ProblemException, sendPage as send } from '@caseline/service-kit';
import { WorkOrdersService } from '../../work-orders.service';
import { EmailDepartmentSystem } from './email-department-system';
import { EMAIL_ACTIONS, EmailAction, EmailLink, EmailLinkRefused, isEmailAction } from './email-links';

type Form = Record<string, unknown>;

/** What each action asks for before it is recorded. */
const FIELDS: Record<EmailAction, { name: 'date' | 'note' | 'reason'; label: string } | undefined> = {
  acknowledge: undefined,
  schedule: { name: 'date', label: 'The day the work is planned for' },
  complete: { name: 'note', label: 'What was done (the resident sees this)' },
  reject: { name: 'reason', label: 'Why this is not for your department (311 sends it on)' },
};

const TITLES: Record<EmailAction, string> = { acknowledge: 'Acknowledge', schedule: 'Schedule', complete: 'Complete', reject: 'Reject' };

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const one = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The pages behind the links of a department's work-order email. Opening a link only shows a form
 * (mail scanners open links too); the department's confirmation (POST) records the change, as the
 * department's system, with the name the person gave. The link signs the department, work order,
 * action and expiry, so none of them can be changed; the same confirmation twice is recorded once.
 */
@Controller('v1/department-email/:department/work-orders/:workOrderId/:action')
@Access.signed('signed work-order link')
export class EmailActionsController {
  constructor(private readonly workOrders: WorkOrdersService) {}

  @Get()
  async show(@Param() params: Record<string, string>, @Query() query: Form, @Res() response: Response): Promise<void> {
    await this.answer(response, async () => {
      const { link } = this.verified(params, query);
      return { status: 200, body: this.form(link, query) };
    });
  }

  @Post()
  async act(@Param() params: Record<string, string>, @Query() query: Form, @Body() form: Form, @Res() response: Response): Promise<void> {
    await this.answer(response, async () => {
      const { link } = this.verified(params, query);
      // No body at all (none sent, or a type Express does not parse) is an empty form.
      const input = this.read(link.action, form ?? {});
      if ('error' in input) return { status: 400, body: this.form(link, query, input.error, form) };
      const status = EMAIL_ACTIONS[link.action];
      // One change per link and content: the same confirmation sent twice is recorded once.
      const changeId = createHash('sha256').update(JSON.stringify([link, input.value])).digest('hex').slice(0, 32);
      const { changed } = await this.workOrders.recordStatusChange(
        link.department,
        {
          changeId,
          workOrderId: link.workOrderId,
          status,
          departmentStatus: `email:${link.action}`,
          ...(link.action === 'schedule' ? { scheduledFor: input.value } : input.value ? { note: input.value } : {}),
        },
        input.by,
      );
      if (!changed) return { status: 200, body: page('Nothing changed', `<p>Work order ${escapeHtml(link.workOrderId)} is already past this step, or its case is closed: nothing was recorded.</p>`) };
      return { status: 200, body: page('Recorded', `<p>Work order ${escapeHtml(link.workOrderId)} is now <strong>${escapeHtml(status.replace('_', ' '))}</strong>. The resident is kept informed by 311.</p>`) };
    });
  }

  private verified(params: Record<string, string>, query: Form): { link: EmailLink; system: EmailDepartmentSystem } {
    const system = this.workOrders.system(params.department);
    if (!(system instanceof EmailDepartmentSystem) || !isEmailAction(params.action)) throw new PageError(404, 'There is no such page.');
    const link: EmailLink = { department: params.department, workOrderId: params.workOrderId, action: params.action, expires: Number(one(query.expires)) };
    system.verify(link, one(query.signature));
    return { link, system };
  }

  /** The form's fields, checked: the required one present and sensible, the name short. */
  private read(action: EmailAction, form: Form): { value?: string; by?: string } | { error: string } {
    const by = one(form.by)?.trim();
    if (by && by.length > 100) return { error: 'Your name: at most 100 characters.' };
    const field = FIELDS[action];
    if (!field) return { by };
    const value = one(form[field.name])?.trim() ?? '';
    if (field.name === 'date') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)) || new Date(value).toISOString().slice(0, 10) !== value) return { error: 'The day: give a date (YYYY-MM-DD).' };
      if (Date.parse(value) < Date.now() - 2 * 86_400_000) return { error: 'The day: it is in the past.' };
    } else if (value.length === 0 || value.length > 2000) {
      return { error: `${field.label}: required, at most 2,000 characters.` };
    }
    return { value, by };
  }

  private form(link: EmailLink, query: Form, error?: string, values: Form = {}): string {
    const field = FIELDS[link.action];
    const action = `?expires=${encodeURIComponent(String(query.expires))}&signature=${encodeURIComponent(String(query.signature))}`;
    const input = !field
      ? ''
      : field.name === 'date'
        ? `<p><label>${escapeHtml(field.label)}<br><input type="date" name="date" required value="${escapeHtml(one(values.date))}"></label></p>`
        : `<p><label>${escapeHtml(field.label)}<br><textarea name="${field.name}" rows="5" cols="60" maxlength="2000" required>${escapeHtml(one(values[field.name]))}</textarea></label></p>`;
    return page(
      `${TITLES[link.action]} work order ${link.workOrderId}`,
      `${error ? `<p role="alert"><strong>${escapeHtml(error)}</strong></p>` : ''}
<form method="post" action="${escapeHtml(action)}">
${input}
<p><label>Your name (optional, shown in the case history)<br><input name="by" maxlength="100" value="${escapeHtml(one(values.by))}"></label></p>
<p><button type="submit">${escapeHtml(TITLES[link.action])}</button></p>
</form>`,
    );
  }

  private async answer(response: Response, handle: () => Promise<{ status: number; body: string }>): Promise<void> {
    try {
      const { status, body } = await handle();
      send(response, status, body);
    } catch (error) {
      send(response, ...failure(error));
    }
  }
}

/** Errors as pages a person can read: forged or expired links 401, unknown 404, a closed case 409. */
function failure(error: unknown): [number, string] {
  if (error instanceof EmailLinkRefused) return [401, page('This link does not work', `<p>${escapeHtml(error.message)}</p>`)];
  if (error instanceof PageError) return [error.status, page('Not found', `<p>${escapeHtml(error.message)}</p>`)];
  if (error instanceof ProblemException) return [error.problem.status, page('Not recorded', `<p>${escapeHtml(error.problem.detail ?? error.problem.title)}</p>`)];
  throw error;
}
