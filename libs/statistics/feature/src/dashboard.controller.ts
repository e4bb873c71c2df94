import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { FiguresFilter, FiguresReport } from '@caseline/statistics-domain';
import { Access } from '@caseline/service-kit';
import { AreaShape, loadAreaShapes } from './area-shapes';
import { CityClock } from './city-clock';
import { dashboardHeaders, DashboardOptions, renderDashboard } from './dashboard/render';
import { renderWeeklyReport } from './dashboard/report';
import { FiguresQueries } from './figures';
import { parseFilter, todayIn } from './filter';

/** The dashboard for directors and council members, and the printable weekly report for the stats meeting. */
@Controller('statistics')
export class DashboardController {
  private readonly areaShapes: AreaShape[] = loadAreaShapes();

  constructor(
    private readonly queries: FiguresQueries,
    private readonly clock: CityClock,
  ) {}

  @Get()
  @Access.staff('figures:read')
  async dashboard(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const { shade, ...rest } = query;
    await this.render(rest, response, (report, options) => renderDashboard(report, { ...options, areaShapes: this.areaShapes, shade: shade === 'overdue' ? 'overdue' : 'received' }));
  }

  @Get('report')
  @Access.staff('figures:read')
  async weeklyReport(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    // The stats meeting looks back at the last full week (Monday to Sunday) unless asked otherwise.
    const today = todayIn(this.clock.timeZone);
    const lastSunday = new Date(Date.parse(`${today}T00:00:00Z`) - (((new Date(`${today}T00:00:00Z`).getUTCDay() + 7) % 7 || 7) * 86_400_000)).toISOString().slice(0, 10);
    const week = { from: new Date(Date.parse(`${lastSunday}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10), to: lastSunday };
    await this.render({ ...week, ...query }, response, renderWeeklyReport);
  }

  private async render(
    query: Record<string, unknown>,
    response: Response,
    view: (report: FiguresReport, options: DashboardOptions) => string,
  ): Promise<void> {
    const today = todayIn(this.clock.timeZone);
    const filter: FiguresFilter = parseFilter(query, today);
    const [report, departments, areas, services] = await Promise.all([this.queries.report(filter), this.queries.labelsOf('department'), this.queries.labelsOf('area'), this.queries.labelsOf('service')]);
    const nonce = randomBytes(16).toString('base64');
    const html = view(report, {
      basePath: '/statistics',
      apiPath: '/v1/statistics',
      departments,
      areas,
      services: services.map(({ id, name }) => ({ code: id, name })),
      nonce,
      timeZone: this.clock.timeZone,
      today,
    });
    response.status(200).set({ ...dashboardHeaders(nonce), 'Content-Type': 'text/html; charset=utf-8' }).send(html);
  }
}
