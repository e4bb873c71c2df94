import type { ServiceDefinition } from './service-definition';
import { CatalogProblem, validateCatalog } from './validate-catalog';

/** A definition as an admin writes it: whether it is active is the catalog's business (RetireService). */
export type ServiceDraft = Omit<ServiceDefinition, 'active'>;

export type AddService = { type: 'AddService'; data: { service: ServiceDraft } };
export type ChangeService = { type: 'ChangeService'; data: { service: ServiceDraft } };
export type RetireService = { type: 'RetireService'; data: { code: string; reason?: string } };
/** Seeds the catalog from the city's file: adds the services it does not have yet, changes none. */
export type ImportServices = { type: 'ImportServices'; data: { services: ServiceDraft[] } };
export type CatalogCommand = AddService | ChangeService | RetireService | ImportServices;

// Each event carries the whole definition, so a reader never has to fold history to know a service.
export type ServiceAdded = { type: 'ServiceAdded'; data: { service: ServiceDefinition } };
export type ServiceChanged = { type: 'ServiceChanged'; data: { service: ServiceDefinition } };
export type ServiceRetired = { type: 'ServiceRetired'; data: { service: ServiceDefinition; reason?: string } };
export type CatalogEvent = ServiceAdded | ServiceChanged | ServiceRetired;

/** The catalog: every service ever defined, retired ones included, by code. */
export type CatalogState = ReadonlyMap<string, ServiceDefinition>;

export type CatalogErrorCode = 'service-already-exists' | 'service-not-found' | 'service-retired' | 'invalid-service';

/** A broken invariant: the command cannot apply to this catalog. Mapped to HTTP once, at the edge. */
export class CatalogDomainError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
    readonly problems: CatalogProblem[] = [],
  ) {
    super(message);
    this.name = 'CatalogDomainError';
  }
}

export const initialState = (): CatalogState => new Map();

/** JSON with sorted keys: equal definitions give equal text, whatever order their fields were written in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field) ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : 1))) : field,
  );

// Only the new definition is checked: the others passed when they were written, and a stricter rule
// added later must not block every unrelated change. Uniqueness of codes is the decider's own check.
function assertValid(service: ServiceDefinition): void {
  const problems = validateCatalog([service]);
  if (problems.length > 0) {
    throw new CatalogDomainError('invalid-service', `${service.code} is not a valid service: ${problems.map((p) => p.message).join('; ')}`, problems);
  }
}

function existing(state: CatalogState, code: string): ServiceDefinition {
  const service = state.get(code);
  if (!service) throw new CatalogDomainError('service-not-found', `The catalog has no service ${code}`);
  return service;
}

export function decide(command: CatalogCommand, state: CatalogState): CatalogEvent[] {
  switch (command.type) {
    case 'AddService': {
      const service: ServiceDefinition = { ...command.data.service, active: true };
      const current = state.get(service.code);
      if (current) {
        throw new CatalogDomainError('service-already-exists', `The catalog already has ${service.code} (${current.name}${current.active ? '' : ', retired'})`);
      }
      assertValid(service);
      return [{ type: 'ServiceAdded', data: { service } }];
    }

    case 'ChangeService': {
      const current = existing(state, command.data.service.code);
      if (!current.active) throw new CatalogDomainError('service-retired', `${current.code} is retired and can no longer change`);
      const service: ServiceDefinition = { ...command.data.service, active: true };
      assertValid(service);
      // Saving the same definition again (a retried admin request) is not a change.
      return canonical(service) === canonical(current) ? [] : [{ type: 'ServiceChanged', data: { service } }];
    }

    case 'ImportServices':
      return command.data.services
        .filter((draft) => !state.has(draft.code))
        .map((draft) => {
          const service: ServiceDefinition = { ...draft, active: true };
          assertValid(service);
          return { type: 'ServiceAdded', data: { service } };
        });

    case 'RetireService': {
      const current = existing(state, command.data.code);
      if (!current.active) return [];
      const { reason } = command.data;
      return [{ type: 'ServiceRetired', data: { service: { ...current, active: false }, ...(reason ? { reason } : {}) } }];
    }
  }
}

export function evolve(state: CatalogState, event: CatalogEvent): CatalogState {
  return new Map(state).set(event.data.service.code, event.data.service);
}

export const catalogDecider = { decide, evolve, initialState };
export type CatalogDecider = typeof catalogDecider;
