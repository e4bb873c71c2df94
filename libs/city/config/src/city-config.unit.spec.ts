import { routeCase } from '@caseline/routing-domain';
import { resolve } from 'node:path';
import { CityConfig, loadCityConfig, validateCityConfig } from './city-config';

const demoCity = resolve(__dirname, '../../../../config/demo-city');

describe('city configuration', () => {
  const city = loadCityConfig(demoCity);

  it('loads the demo city with its full catalog', () => {
    expect(city.services.length).toBeGreaterThanOrEqual(30);
    expect(city.services.find((s) => s.code === 'POTHOLE')?.attributes.map((a) => a.code)).toEqual(['SIZE', 'WHERE', 'NOTE']);
  });

  it('routes every service of the demo catalog to a department it knows', () => {
    const departments = new Set(city.departments.map((d) => d.code));
    for (const service of city.services) {
      const decision = routeCase(city.routing, { serviceCode: service.code, group: service.group, channel: 'web' }, new Date('2026-03-02T12:00:00Z'));
      expect(decision && departments.has(decision.department)).toBe(true);
    }
  });

  it('leaves to 311 triage only the groups without a department of their own', () => {
    const triaged = city.services.filter((s) => routeCase(city.routing, { serviceCode: s.code, group: s.group, channel: 'web' }, new Date())?.rule.id === 'triage');
    expect([...new Set(triaged.map((s) => s.group))].sort()).toEqual(['Animals', 'City operations', 'General', 'Health', 'Housing and buildings']);
  });

  it('refuses a catalog with problems, naming each', () => {
    const broken: CityConfig = { ...city, services: [...city.services, { ...city.services[0], name: '' }] };
    expect(() => validateCityConfig(broken)).toThrow(/The service catalog has 2 problem\(s\):\n- STREETLIGHT has no name\n- Service code STREETLIGHT appears 2 times/);
  });
});
