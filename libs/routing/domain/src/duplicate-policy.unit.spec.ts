import { boxAround, distanceMeters, policyFor, validateDuplicatePolicies } from './duplicate-policy';

describe('duplicate policies', () => {
  const policies = { policies: [{ id: 'lights', serviceCodes: ['STREETLIGHT'], withinMeters: 30, withinHours: 720 }, { id: 'sanitation', groups: ['Sanitation'], withinMeters: 20, withinHours: 72 }] };

  it('applies the first policy for the type or the group; none for others', () => {
    expect(policyFor(policies, 'STREETLIGHT', 'Streets')?.id).toBe('lights');
    expect(policyFor(policies, 'ILLEGAL-DUMPING', 'Sanitation')?.id).toBe('sanitation');
    expect(policyFor(policies, 'NOISE-RESIDENTIAL', 'Noise')).toBeUndefined();
  });

  it('measures metres on the ground, and boxes hold every point within the distance', () => {
    const empireState = { lat: 40.7484, long: -73.9857 };
    expect(distanceMeters(empireState, { lat: 40.7484 + 0.00009, long: -73.9857 })).toBeCloseTo(10, 0);
    expect(distanceMeters(empireState, { lat: 40.7527, long: -73.9772 })).toBeGreaterThan(800);
    const box = boxAround(empireState, 30);
    for (let bearing = 0; bearing < 360; bearing += 15) {
      const point = { lat: empireState.lat + (29.9 / 111_195) * Math.cos((bearing * Math.PI) / 180), long: empireState.long + (29.9 / (111_195 * Math.cos((empireState.lat * Math.PI) / 180))) * Math.sin((bearing * Math.PI) / 180) };
      expect(distanceMeters(empireState, point)).toBeLessThanOrEqual(30);
      expect(point.lat >= box.minLat && point.lat <= box.maxLat && point.long >= box.minLong && point.long <= box.maxLong).toBe(true);
    }
  });

  it('names each problem of a policies file', () => {
    const services = [{ code: 'STREETLIGHT', group: 'Streets' }];
    expect(validateDuplicatePolicies(policies, { services })).toEqual(['policies[1] ("sanitation"): service group "Sanitation" does not exist']);
    expect(validateDuplicatePolicies({ policies: [{ id: 'x', withinMeters: -1, withinHours: 1 }] }, { services })).toEqual([
      'policies[0] ("x"): give serviceCodes or groups',
      'policies[0] ("x"): withinMeters must be a number from 0 to 5000',
    ]);
    expect(validateDuplicatePolicies({}, { services })).toEqual(['duplicates.json must hold { "policies": [...] }']);
  });
});
