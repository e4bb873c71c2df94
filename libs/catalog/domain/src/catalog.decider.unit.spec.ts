import { CatalogCommand, CatalogDomainError, catalogDecider, CatalogErrorCode, CatalogEvent, ServiceDraft } from './catalog.decider';
import { deciderSpec } from '@caseline/case-domain';
import { defineService, ServiceDefinition } from './service-definition';

const spec = deciderSpec(catalogDecider);

const pothole = (changes: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  ...defineService({
    code: 'POTHOLE',
    name: 'Pothole',
    group: 'Streets and sidewalks',
    attributes: [{ code: 'SIZE', datatype: 'singlevaluelist', order: 1, description: 'How big is it?', values: [{ key: 'SMALL', name: 'Small' }] }],
  }),
  ...changes,
});
const draft = (service: ServiceDefinition): ServiceDraft => {
  const { active: _active, ...rest } = service;
  return rest;
};

const add = (service = pothole()): CatalogCommand => ({ type: 'AddService', data: { service: draft(service) } });
const change = (service: ServiceDefinition): CatalogCommand => ({ type: 'ChangeService', data: { service: draft(service) } });
const retire = (code = 'POTHOLE', reason?: string): CatalogCommand => ({ type: 'RetireService', data: { code, reason } });

const added = (service = pothole()): CatalogEvent => ({ type: 'ServiceAdded', data: { service } });
const changed = (service: ServiceDefinition): CatalogEvent => ({ type: 'ServiceChanged', data: { service } });
const retired = (service = pothole(), reason?: string): CatalogEvent => ({ type: 'ServiceRetired', data: { service: { ...service, active: false }, ...(reason ? { reason } : {}) } });

const isCatalogError = (code: CatalogErrorCode) => (error: unknown) => error instanceof CatalogDomainError && error.code === code;

describe('catalog decider', () => {
  it('adds a new service, active', () => {
    spec.given([]).when(add()).then([added()]);
  });

  it('refuses to add a code the catalog already has, retired or not', () => {
    spec.given([added()]).when(add()).thenThrows(isCatalogError('service-already-exists'));
    spec.given([added(), retired()]).when(add()).thenThrows(isCatalogError('service-already-exists'));
  });

  it('refuses an invalid definition, with every problem', () => {
    const broken = pothole({ name: '', attributes: [{ ...pothole().attributes[0], values: [] }] });
    spec
      .given([])
      .when(add(broken))
      .thenThrows((error) => isCatalogError('invalid-service')(error) && (error as CatalogDomainError).problems.map((p) => p.rule).join() === 'name,listValues');
    spec.given([added()]).when(change(broken)).thenThrows(isCatalogError('invalid-service'));
  });

  it('changes a service with its whole new definition', () => {
    const renamed = pothole({ name: 'Pothole or road defect', keywords: ['hole'] });
    spec.given([added()]).when(change(renamed)).then([changed(renamed)]);
  });

  it('records no change when the same definition is saved again', () => {
    const renamed = pothole({ name: 'Pothole or road defect' });
    spec.given([added(), changed(renamed)]).when(change(renamed)).then([]);
    const reordered = Object.fromEntries(Object.entries(renamed).reverse()) as ServiceDefinition;
    spec.given([added(), changed(renamed)]).when(change(reordered)).then([]);
  });

  it('refuses to change or retire a service it does not have', () => {
    spec.given([]).when(change(pothole())).thenThrows(isCatalogError('service-not-found'));
    spec.given([added()]).when(retire('STREETLIGHT')).thenThrows(isCatalogError('service-not-found'));
  });

  it('retires a service, keeping its definition, and says why', () => {
    spec.given([added()]).when(retire('POTHOLE', 'Merged into ROAD-DEFECT')).then([retired(pothole(), 'Merged into ROAD-DEFECT')]);
  });

  it('retires the latest definition, and only once', () => {
    const renamed = pothole({ name: 'Pothole or road defect' });
    spec.given([added(), changed(renamed)]).when(retire()).then([retired(renamed)]);
    spec.given([added(), retired()]).when(retire()).then([]);
  });

  it('does not change a retired service', () => {
    spec.given([added(), retired()]).when(change(pothole({ name: 'Back again' }))).thenThrows(isCatalogError('service-retired'));
  });

  it('does not let a change slip a retirement in: the flag is the catalog’s own', () => {
    spec.given([added()]).when({ type: 'ChangeService', data: { service: { ...pothole({ name: 'Renamed' }), active: false } as ServiceDraft } }).then([changed(pothole({ name: 'Renamed' }))]);
  });

  it('imports the services a file has and the catalog has not, changing none it has', () => {
    const dumping = pothole({ code: 'ILLEGAL-DUMPING', name: 'Illegal dumping', attributes: [] });
    const changedPothole = pothole({ name: 'Pothole in the road' });
    const importing: CatalogCommand = { type: 'ImportServices', data: { services: [draft(changedPothole), draft(dumping)] } };
    spec.given([added()]).when(importing).then([added(dumping)]);
    spec.given([added(), added(dumping)]).when(importing).then([]);
  });

  it('folds its events into the catalog, by code', () => {
    const renamed = pothole({ name: 'Pothole or road defect' });
    const streetlight = pothole({ code: 'STREETLIGHT', name: 'Streetlight out' });
    const state = [added(), added(streetlight), changed(renamed), retired(renamed)].reduce(catalogDecider.evolve, catalogDecider.initialState());
    expect([...state.values()]).toEqual([{ ...renamed, active: false }, streetlight]);
  });
});
