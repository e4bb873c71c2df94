import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Access, problem, sqlFor } from '@caseline/service-kit';
import { casesCsv, figuresCsv } from './dashboard/csv';
import { casesBehind, decodeCursor, DRILL_DOWN_COLUMNS, Measure, MEASURES } from './drill-down';
import { FiguresQueries } from './figures';
import { parseFilter, todayIn } from './filter';
import { CityClock } from './city-clock';

const TABLES = ['departments', 'areas', 'types', 'trend'] as const;
const oneOf = <T extends string>(field: string, value: unknown, allowed: readonly T[], fallback?: T): T => {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw problem(400, 'Bad Request', `${field} must be one of ${allowed.join(', ')}`, [{ field, rule: 'isIn', message: `one of ${allowed.join(', ')}` }]);
};

/** The city's figures as data: JSON for portals and tools, CSV for spreadsheets, and the cases behind each number. */
@Controller('v1/statistics')
export class StatisticsController {
  constructor(
    private readonly queries: FiguresQueries,
    private readonly dataSource: DataSource,
    private readonly clock: CityClock,
  ) {}

  @Get('figures')
  @Access.staff('figures:read')
  figures(@Query() query: Record<string, unknown>) {
    return this.queries.report(parseFilter(query, todayIn(this.clock.timeZone)));
  }

  @Get('figures.csv')
  @Access.staff('figures:read')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  async figuresCsv(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response): Promise<string> {
    const table = oneOf('table', query.table, TABLES);
    const { table: _table, ...rest } = query;
    const filter = parseFilter(rest, todayIn(this.clock.timeZone));
    response.setHeader('Content-Disposition', `attachment; filename="caseline-${table}-${filter.from}-${filter.to}.csv"`);
    return figuresCsv(await this.queries.report(filter), table);
  }

  /** The cases behind a number: `measure` names which (docs/statistics.md); `format=csv` for a spreadsheet (up to 50,000 rows). */
  @Get('cases')
  @Access.staff('figures:read')
  async cases(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const { measure: rawMeasure, format: rawFormat, limit: rawLimit, after: rawAfter, ...rest } = query;
    const measure: Measure = oneOf('measure', rawMeasure, MEASURES, 'received');
    const format = oneOf('format', rawFormat, ['json', 'csv'] as const, 'json');
    const maxLimit = format === 'csv' ? 50_000 : 1000;
    const limit = rawLimit === undefined ? (format === 'csv' ? maxLimit : 100) : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw problem(400, 'Bad Request', `limit must be a whole number from 1 to ${maxLimit}`, [{ field: 'limit', rule: 'range', message: `1 to ${maxLimit}` }]);
    const after = rawAfter === undefined ? undefined : typeof rawAfter === 'string' ? decodeCursor(rawAfter) : undefined;
    if (rawAfter !== undefined && !after) throw problem(400, 'Bad Request', 'after must be a cursor from a previous page', [{ field: 'after', rule: 'isCursor', message: 'a cursor from a previous page' }]);
    const filter = parseFilter(rest, todayIn(this.clock.timeZone));
    const page = await casesBehind(sqlFor(this.dataSource), filter, await this.queries.bounds(filter), measure, { limit, after });
    if (format === 'json') return { filter, measure, ...page };
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="caseline-${measure}-${filter.from}-${filter.to}.csv"`);
    return casesCsv(page.cases as unknown as Record<string, string | number | null>[], DRILL_DOWN_COLUMNS);
  }
}
