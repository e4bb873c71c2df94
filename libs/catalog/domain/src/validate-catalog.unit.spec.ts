import type { Channel } from '@caseline/case-contracts';
import { AttributeInput, defineService, ServiceDefinitionInput } from './service-definition';
import { validateCatalog } from './validate-catalog';

const service = (overrides: Partial<ServiceDefinitionInput> = {}) => defineService({ code: 'POTHOLE', name: 'Pothole', group: 'Streets', ...overrides });
const size = (overrides: Partial<AttributeInput> = {}): AttributeInput => ({
  code: 'SIZE',
  datatype: 'singlevaluelist',
  order: 1,
  description: 'How big is it?',
  values: [{ key: 'SMALL', name: 'Small' }, { key: 'LARGE', name: 'Large' }],
  ...overrides,
});
const problemsOf = (...services: ReturnType<typeof service>[]) => validateCatalog(services);

describe('validateCatalog', () => {
  it('finds nothing wrong with a sound catalog', () => {
    expect(problemsOf(service({ attributes: [size(), { code: 'NOTE', datatype: 'text', order: 2, description: 'Info', variable: false }] }), service({ code: 'STREETLIGHT' }))).toEqual([]);
  });

  it('refuses a service code twice', () => {
    expect(problemsOf(service(), service({ name: 'Another pothole' }))).toEqual([{ path: 'POTHOLE', rule: 'uniqueCode', message: 'Service code POTHOLE appears 2 times' }]);
  });

  it.each(['', 'NO SPACES', 'attr[x]', '-LEADING'])('refuses the service code "%s"', (code) => {
    expect(problemsOf(service({ code }))).toEqual([expect.objectContaining({ path: 'services[0]', rule: 'codeFormat' })]);
  });

  it('needs a name and a group', () => {
    expect(problemsOf(service({ name: ' ', group: '' }))).toEqual([
      { path: 'POTHOLE.name', rule: 'name', message: 'POTHOLE has no name' },
      { path: 'POTHOLE.group', rule: 'group', message: 'POTHOLE has no group' },
    ]);
  });

  describe('channels', () => {
    it('knows only the channels of the case contracts', () => {
      expect(problemsOf(service({ channels: ['web', 'pigeon' as Channel] }))).toEqual([
        { path: 'POTHOLE.channels', rule: 'channels', message: 'POTHOLE: unknown channel(s) pigeon' },
      ]);
    });

    it('refuses an empty list, which would let nobody request the service', () => {
      expect(problemsOf(service({ channels: [] }))[0].message).toContain('an empty channel list lets nobody request it');
    });

    it('refuses a staff-only service offered only on public channels', () => {
      expect(problemsOf(service({ staffOnly: true, channels: ['web', 'mobile'] }))[0].message).toBe(
        'POTHOLE: it is staff-only but allows only public channels (web, mobile), so nobody can request it',
      );
      expect(problemsOf(service({ staffOnly: true, channels: ['web', 'phone'] }))).toEqual([]);
    });
  });

  describe('attributes', () => {
    it('refuses an attribute code twice within a service', () => {
      expect(problemsOf(service({ attributes: [size(), size({ order: 2 })] }))).toEqual([
        { path: 'POTHOLE.attributes.SIZE', rule: 'uniqueCode', message: 'POTHOLE has attribute code SIZE more than once' },
      ]);
    });

    it('allows the same attribute code in different services', () => {
      expect(problemsOf(service({ attributes: [size()] }), service({ code: 'CAVE-IN', attributes: [size()] }))).toEqual([]);
    });

    it('refuses attribute codes that would not survive an Open311 form name', () => {
      expect(problemsOf(service({ attributes: [size({ code: 'SIZE]' })] }))).toEqual([expect.objectContaining({ path: 'POTHOLE.attributes.SIZE]', rule: 'codeFormat' })]);
    });

    it('knows only the Open311 datatypes', () => {
      expect(problemsOf(service({ attributes: [size({ datatype: 'boolean' as never })] }))).toEqual([
        {
          path: 'POTHOLE.attributes.SIZE.datatype',
          rule: 'knownDatatype',
          message: 'POTHOLE attribute SIZE has datatype "boolean"; it must be one of string, number, datetime, text, singlevaluelist, multivaluelist',
        },
      ]);
    });

    it('needs the question', () => {
      expect(problemsOf(service({ attributes: [size({ description: '' })] }))).toEqual([
        { path: 'POTHOLE.attributes.SIZE.description', rule: 'question', message: 'POTHOLE attribute SIZE has no description: it is the question people are asked' },
      ]);
    });

    it('refuses a required attribute that takes no answer', () => {
      expect(problemsOf(service({ attributes: [size({ required: true, variable: false })] }))[0].rule).toBe('requiredNeedsAnswer');
    });

    it.each([0, -1, 1.5])('refuses order %s', (order) => {
      expect(problemsOf(service({ attributes: [size({ order })] }))).toEqual([
        { path: 'POTHOLE.attributes.SIZE.order', rule: 'orderNumber', message: `POTHOLE attribute SIZE has order ${order}; it must be a whole number from 1` },
      ]);
    });

    it('gives every attribute its own place in the order', () => {
      expect(problemsOf(service({ attributes: [size(), { code: 'LANE', datatype: 'string', order: 1, description: 'Which lane?' }] }))).toEqual([
        { path: 'POTHOLE.attributes', rule: 'uniqueOrder', message: 'POTHOLE: attributes SIZE, LANE share order 1; each needs its own place' },
      ]);
    });

    it.each(['singlevaluelist', 'multivaluelist'] as const)('needs values to choose from in a %s', (datatype) => {
      expect(problemsOf(service({ attributes: [size({ datatype, values: [] })] }))).toEqual([
        { path: 'POTHOLE.attributes.SIZE.values', rule: 'listValues', message: `POTHOLE attribute SIZE is a ${datatype} without values to choose from` },
      ]);
    });

    it('refuses values on an attribute that is not a list', () => {
      expect(problemsOf(service({ attributes: [size({ datatype: 'string' })] }))[0].rule).toBe('valuesOnlyForLists');
    });

    it('needs a key and a name for every value, and each key once', () => {
      const values = [{ key: 'SMALL', name: 'Small' }, { key: 'SMALL', name: 'Tiny' }, { key: '', name: 'Unnamed' }];
      expect(problemsOf(service({ attributes: [size({ values })] }))).toEqual([
        { path: 'POTHOLE.attributes.SIZE.values', rule: 'valueKeyAndName', message: 'POTHOLE attribute SIZE has a value without a key or a name' },
        { path: 'POTHOLE.attributes.SIZE.values', rule: 'uniqueValueKey', message: 'POTHOLE attribute SIZE has the value key "SMALL" more than once' },
      ]);
    });
  });
});
