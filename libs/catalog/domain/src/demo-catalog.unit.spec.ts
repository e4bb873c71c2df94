import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineService, isPublicChannel, ServiceDefinitionInput } from './service-definition';
import { validateCatalog } from './validate-catalog';

const file = join(__dirname, '../../../../config/demo-city/catalog.json');
const services = (JSON.parse(readFileSync(file, 'utf8')) as { services: ServiceDefinitionInput[] }).services.map(defineService);

// Routing rules, tests and the README use these codes; questions on them stay optional because
// existing clients report them without answers.
const establishedCodes = ['STREETLIGHT', 'POTHOLE', 'TRAFFIC-SIGNAL', 'MISSED-COLLECTION', 'ILLEGAL-DUMPING', 'WATER-LEAK', 'SEWER-BACKUP', 'DEAD-TREE', 'PARK-MAINTENANCE', 'GENERAL-QUESTION'];

describe('the demo city catalog', () => {
  it('is valid', () => {
    expect(validateCatalog(services)).toEqual([]);
  });

  it('has 30 or more types, in groups', () => {
    expect(services.length).toBeGreaterThanOrEqual(30);
    expect(new Set(services.map((s) => s.group)).size).toBeGreaterThanOrEqual(8);
  });

  it('keeps the established codes, asking nothing they must answer', () => {
    for (const code of establishedCodes) {
      const service = services.find((s) => s.code === code);
      expect(service).toBeDefined();
      expect(service?.attributes.filter((a) => a.required)).toEqual([]);
    }
  });

  it('asks questions of every Open311 datatype', () => {
    const datatypes = new Set(services.flatMap((s) => s.attributes.map((a) => a.datatype)));
    expect([...datatypes].sort()).toEqual(['datetime', 'multivaluelist', 'number', 'singlevaluelist', 'string', 'text']);
  });

  it('has a staff-only type and a type with restricted channels', () => {
    expect(services.filter((s) => s.staffOnly).map((s) => s.code)).toContain('CITY-PROPERTY-DAMAGE');
    const driveway = services.find((s) => s.code === 'BLOCKED-DRIVEWAY');
    expect(driveway?.channels).not.toContain('email');
    expect(driveway?.channels?.some(isPublicChannel)).toBe(true);
  });
});
