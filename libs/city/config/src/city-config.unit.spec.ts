import { ALL_CHANNELS } from '@caseline/case-contracts';
import { loadGeography } from '@caseline/city-geography';
import { decideRoute, validateRuleSet } from '@caseline/routing-domain';
import { resolve } from 'node:path';
import { calendarOf, CityConfig, loadCityConfig, validateCityConfig } from './city-config';

const demoCity = resolve(__dirname, '../../../../config/demo-city');

describe('city configuration', () => {
  const city = loadCityConfig(demoCity);

  it('loads the demo city with its full catalog', () => {
    expect(city.services.length).toBeGreaterThanOrEqual(30);
    expect(city.services.find((s) => s.code === 'POTHOLE')?.attributes.map((a) => a.code)).toEqual(['SIZE', 'WHERE', 'NOTE']);
  });

  it('has routing rules that are valid against its departments, catalog and areas', () => {
    const geography = loadGeography(demoCity);
    const context = {
      departments: city.departments.map((d) => d.code),
      services: city.services.map((s) => ({ code: s.code, group: s.group, attributes: s.attributes.map((a) => a.code) })),
      areas: Object.fromEntries(geography.layers.map((l) => [l.layer, l.areas().map((a) => a.id)])),
      channels: ALL_CHANNELS,
    };
    expect(validateRuleSet(city.routing, context)).toEqual([]);
  });

  it('places every service of the demo catalog with a department (nothing needs triage by default)', () => {
    for (const service of city.services) {
      const decision = decideRoute(city.routing, { serviceCode: service.code, group: service.group, channel: 'web', areas: {}, answers: {}, description: '' });
      expect(decision && city.departments.some((d) => d.code === decision.department)).toBe(true);
    }
  });

  it('gives each department its calendar: the city\'s, with its own changes', () => {
    expect(calendarOf(city, 'DOT')).toMatchObject({ timeZone: 'America/New_York', workingDays: [1, 2, 3, 4, 5], hours: { start: '08:00', end: '17:00' } });
    expect(calendarOf(city, 'DEP')).toMatchObject({ workingDays: [1, 2, 3, 4, 5, 6, 7], hours: { start: '00:00', end: '24:00' }, holidays: [] });
    expect(calendarOf(city, 'DSNY').holidays).toContain('2026-11-26');
  });

  it('refuses a catalog with problems, naming each', () => {
    const broken: CityConfig = { ...city, services: [...city.services, { ...city.services[0], name: '' }] };
    expect(() => validateCityConfig(broken)).toThrow(/The service catalog has 2 problem\(s\):\n- STREETLIGHT has no name\n- Service code STREETLIGHT appears 2 times/);
  });

  it('refuses a department calendar with problems, naming the department', () => {
    const broken: CityConfig = { ...city, departments: [{ code: 'DOT', name: 'DOT', calendar: { hours: { start: '8am', end: '17:00' } } }] };
    expect(() => validateCityConfig(broken)).toThrow(/departments\.json: department DOT: calendar.*hours\.start "8am"/);
  });
});
