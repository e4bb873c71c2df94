import { mapFields } from './rest-department-system';

describe('REST department systems', () => {
  it('renames our fields to the department\'s, leaving the rest as they are', () => {
    const request = { caseReference: '100-000-001', serviceCode: 'STREETLIGHT', serviceName: 'Streetlight out', description: 'Out', location: { lat: 1, long: 2 }, dueAt: '2026-12-01T17:00:00Z', callbackUrl: 'http://x' };
    expect(mapFields(request, { caseReference: 'external_ref', description: 'details' })).toEqual({
      external_ref: '100-000-001',
      serviceCode: 'STREETLIGHT',
      serviceName: 'Streetlight out',
      details: 'Out',
      location: { lat: 1, long: 2 },
      dueAt: '2026-12-01T17:00:00Z',
      callbackUrl: 'http://x',
    });
  });
});
