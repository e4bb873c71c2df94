import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import type { Actor } from '@caseline/case-contracts';
import { CatalogCommand, CatalogDomainError, defineService, ServiceDefinition, ServiceDefinitionInput, ServiceDraft } from '@caseline/catalog-domain';
import { Access, Acting, problem } from '@caseline/service-kit';
import { CatalogStore } from './catalog.store';

// Until issue 7 verifies identities, admin changes are recorded as such, never as a caller-set name.

const statusOf = { 'service-already-exists': 409, 'service-not-found': 404, 'service-retired': 409, 'invalid-service': 422 } as const;

/** A catalog refusal in problem+json, each catalog problem as a field error. */
function asProblem(error: unknown): unknown {
  if (!(error instanceof CatalogDomainError)) return error;
  return problem(statusOf[error.code], error.code === 'invalid-service' ? 'Invalid service definition' : 'Conflict', error.message, error.problems.map((p) => ({ field: p.path, rule: p.rule, message: p.message })));
}

/** A body as an admin sends it, with the defaults a catalog file gets (the decider validates the rest). */
function draftOf(body: unknown, code?: string): ServiceDraft {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw problem(400, 'Bad Request', 'The body must be a service definition object');
  const input = { ...(body as ServiceDefinitionInput), ...(code ? { code } : {}) };
  if (typeof input.code !== 'string') throw problem(400, 'Bad Request', 'code is required', [{ field: 'code', rule: 'required', message: 'code must be a string' }]);
  const { active: _active, ...draft } = defineService(input);
  return draft;
}

/** The catalog's admin API: each change is an event on the catalog's stream, with its actor. */
@Controller('v1/admin/catalog/services')
export class CatalogAdminController {
  constructor(private readonly catalog: CatalogStore) {}

  @Get()
  @Access.staff('config:read')
  list(): ServiceDefinition[] {
    return this.catalog.all();
  }

  @Post()
  @HttpCode(201)
  @Access.staff('config:change')
  add(@Body() body: unknown, @Acting() actor: Actor): Promise<ServiceDefinition> {
    const service = draftOf(body);
    return this.apply({ type: 'AddService', data: { service } }, service.code, actor);
  }

  @Put(':code')
  @Access.staff('config:change')
  change(@Param('code') code: string, @Body() body: unknown, @Acting() actor: Actor): Promise<ServiceDefinition> {
    return this.apply({ type: 'ChangeService', data: { service: draftOf(body, code) } }, code, actor);
  }

  @Post(':code/retire')
  @HttpCode(200)
  @Access.staff('config:change')
  retire(@Param('code') code: string, @Body() body: { reason?: unknown }, @Acting() actor: Actor): Promise<ServiceDefinition> {
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 500) : undefined;
    return this.apply({ type: 'RetireService', data: { code, reason } }, code, actor);
  }

  private async apply(command: CatalogCommand, code: string, actor: Actor): Promise<ServiceDefinition> {
    try {
      await this.catalog.execute(command, actor);
    } catch (error) {
      throw asProblem(error);
    }
    return this.catalog.find(code)!;
  }
}
