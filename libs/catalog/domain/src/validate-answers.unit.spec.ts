import { defineService, ServiceDefinition } from './service-definition';
import { AnswerValidation, open311FieldNames, parseDateTimeWithZone, validateAnswers } from './validate-answers';

const pothole: ServiceDefinition = defineService({
  code: 'POTHOLE',
  name: 'Pothole',
  group: 'Streets and sidewalks',
  attributes: [
    { code: 'SIZE', datatype: 'singlevaluelist', order: 1, description: 'How big is it?', required: true, values: [{ key: 'SMALL', name: 'Small' }, { key: 'LARGE', name: 'Large' }] },
    { code: 'DEPTH-INCHES', datatype: 'number', order: 2, description: 'How deep, in inches?' },
    { code: 'SEEN', datatype: 'datetime', order: 3, description: 'When did you first see it?' },
    { code: 'LANE', datatype: 'string', order: 4, description: 'Which lane?' },
    { code: 'DETAILS', datatype: 'text', order: 5, description: 'Anything else?' },
    { code: 'DAMAGE', datatype: 'multivaluelist', order: 6, description: 'What did it damage?', values: [{ key: 'TIRE', name: 'Tire' }, { key: 'RIM', name: 'Rim' }] },
    { code: 'NOTE', datatype: 'text', order: 7, variable: false, description: 'Repairs take five business days.' },
  ],
});

const violations = (result: AnswerValidation) => (result.ok ? [] : result.violations);
const rules = (result: AnswerValidation) => violations(result).map((v) => `${v.field} ${v.rule}`);

describe('validateAnswers', () => {
  it('accepts good answers and normalizes them: numbers, UTC datetimes, lists as arrays, trimmed text', () => {
    const result = validateAnswers(pothole, { SIZE: ['LARGE'], 'DEPTH-INCHES': ' 4.5 ', SEEN: '2026-03-14T21:30:00-05:00', LANE: ' left ', DAMAGE: 'TIRE' }, 'web');
    expect(result).toEqual({ ok: true, answers: { SIZE: 'LARGE', 'DEPTH-INCHES': 4.5, SEEN: '2026-03-15T02:30:00.000Z', LANE: 'left', DAMAGE: ['TIRE'] } });
  });

  it('leaves out unanswered optional attributes, and takes a blank form field for no answer', () => {
    expect(validateAnswers(pothole, { SIZE: 'SMALL', LANE: '   ', DAMAGE: [] }, 'web')).toEqual({ ok: true, answers: { SIZE: 'SMALL' } });
  });

  it('names a missing required attribute and its question', () => {
    expect(violations(validateAnswers(pothole, {}, 'web'))).toEqual([
      { field: 'attributes.SIZE', rule: 'required', message: 'SIZE ("How big is it?") is required for POTHOLE' },
    ]);
    expect(rules(validateAnswers(pothole, { SIZE: '' }, 'web'))).toEqual(['attributes.SIZE required']);
  });

  it('rejects an attribute code the service does not have, listing the ones it has', () => {
    const [violation] = violations(validateAnswers(pothole, { SIZE: 'SMALL', COLOR: 'red' }, 'web'));
    expect(violation).toEqual({
      field: 'attributes.COLOR',
      rule: 'knownAttribute',
      message: 'POTHOLE has no attribute COLOR; its attributes are SIZE, DEPTH-INCHES, SEEN, LANE, DETAILS, DAMAGE, NOTE',
    });
  });

  it('does not mistake an inherited property for an answer', () => {
    const tricky = defineService({ code: 'X', name: 'X', group: 'G', attributes: [{ code: 'constructor', datatype: 'string', order: 1, description: 'Q', required: true }] });
    expect(rules(validateAnswers(tricky, {}, 'web'))).toEqual(['attributes.constructor required']);
  });

  it('refuses an answer to an information-only attribute', () => {
    expect(rules(validateAnswers(pothole, { SIZE: 'SMALL', NOTE: 'ok' }, 'web'))).toEqual(['attributes.NOTE informationOnly']);
  });

  it.each(['abc', '.', '0x10', '1e400', '4 inches', '--1'])('refuses "%s" for a number', (value) => {
    const result = validateAnswers(pothole, { SIZE: 'SMALL', 'DEPTH-INCHES': value }, 'web');
    expect(rules(result)).toEqual(['attributes.DEPTH-INCHES number']);
  });

  it.each(['-2', '+3', '.5', '10', '1.5e2'])('accepts "%s" as a number', (value) => {
    const result = validateAnswers(pothole, { SIZE: 'SMALL', 'DEPTH-INCHES': value }, 'web');
    expect(result.ok && result.answers['DEPTH-INCHES']).toBe(Number(value));
  });

  it('wants a datetime with a time zone', () => {
    const [violation] = violations(validateAnswers(pothole, { SIZE: 'SMALL', SEEN: '2026-03-14 21:30' }, 'web'));
    expect(violation.rule).toBe('dateTimeWithZone');
    expect(violation.message).toContain('SEEN ("When did you first see it?") must be a date and time with a time zone');
  });

  it.each([
    ['2026-03-14T21:30:00Z', '2026-03-14T21:30:00.000Z'],
    ['2026-03-14T21:30Z', '2026-03-14T21:30:00.000Z'],
    ['2026-03-14T21:30:00.250+01:00', '2026-03-14T20:30:00.250Z'],
    ['2024-02-29T12:00:00-05:00', '2024-02-29T17:00:00.000Z'],
  ])('reads the W3C datetime %s as %s', (text, instant) => {
    expect(parseDateTimeWithZone(text)).toBe(instant);
  });

  it.each(['2026-03-14T21:30:00', '2026-03-14', '2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-03-14T24:00:00Z', '2026-03-14T21:60:00Z', '2026-03-14T21:30:00+25:00', 'yesterday'])(
    'refuses %s as a datetime',
    (text) => {
      expect(parseDateTimeWithZone(text)).toBeUndefined();
    },
  );

  it('takes only the allowed keys of a singlevaluelist, and only one', () => {
    expect(violations(validateAnswers(pothole, { SIZE: 'HUGE' }, 'web'))).toEqual([
      { field: 'attributes.SIZE', rule: 'allowedValue', message: 'SIZE ("How big is it?") must be one of SMALL (Small), LARGE (Large), not "HUGE"' },
    ]);
    expect(violations(validateAnswers(pothole, { SIZE: ['SMALL', 'LARGE'] }, 'web'))).toEqual([
      { field: 'attributes.SIZE', rule: 'singleValue', message: 'SIZE ("How big is it?") takes one value, got 2' },
    ]);
  });

  it('takes one value for the other single-valued datatypes too', () => {
    expect(rules(validateAnswers(pothole, { SIZE: 'SMALL', LANE: ['left', 'right'] }, 'web'))).toEqual(['attributes.LANE singleValue']);
  });

  it('names the values of a multivaluelist that are not allowed, and drops repeats of allowed ones', () => {
    expect(violations(validateAnswers(pothole, { SIZE: 'SMALL', DAMAGE: ['TIRE', 'MIRROR', 'DOOR'] }, 'web'))).toEqual([
      { field: 'attributes.DAMAGE', rule: 'allowedValue', message: 'DAMAGE ("What did it damage?") allows TIRE (Tire), RIM (Rim); "MIRROR", "DOOR" not among them' },
    ]);
    const result = validateAnswers(pothole, { SIZE: 'SMALL', DAMAGE: ['RIM', 'TIRE', 'RIM'] }, 'web');
    expect(result.ok && result.answers.DAMAGE).toEqual(['RIM', 'TIRE']);
  });

  it('limits a string to 255 characters and a text to 4000', () => {
    expect(validateAnswers(pothole, { SIZE: 'SMALL', LANE: 'x'.repeat(255), DETAILS: 'y'.repeat(4000) }, 'web').ok).toBe(true);
    expect(violations(validateAnswers(pothole, { SIZE: 'SMALL', LANE: 'x'.repeat(256), DETAILS: 'y'.repeat(4001) }, 'web'))).toEqual([
      { field: 'attributes.LANE', rule: 'maxLength', message: 'LANE ("Which lane?") must be at most 255 characters (got 256)' },
      { field: 'attributes.DETAILS', rule: 'maxLength', message: 'DETAILS ("Anything else?") must be at most 4000 characters (got 4001)' },
    ]);
  });

  it('reports every violation at once, in the order the questions are asked', () => {
    expect(rules(validateAnswers(pothole, { DAMAGE: 'X', 'DEPTH-INCHES': 'deep', EXTRA: '1' }, 'web'))).toEqual([
      'attributes.SIZE required',
      'attributes.DEPTH-INCHES number',
      'attributes.DAMAGE allowedValue',
      'attributes.EXTRA knownAttribute',
    ]);
  });

  it('names fields the Open311 way when asked', () => {
    expect(rules(validateAnswers(pothole, { COLOR: 'red' }, 'api', open311FieldNames))).toEqual(['attribute[SIZE] required', 'attribute[COLOR] knownAttribute']);
  });

  it('says when a service asks no questions at all', () => {
    const question = defineService({ code: 'GENERAL-QUESTION', name: 'Question', group: 'General' });
    expect(violations(validateAnswers(question, { SIZE: 'SMALL' }, 'web'))[0].message).toBe('GENERAL-QUESTION has no attribute SIZE; it asks no questions');
  });

  describe('who may request it, and how', () => {
    const driveway = defineService({ code: 'BLOCKED-DRIVEWAY', name: 'Blocked driveway', group: 'Traffic', channels: ['phone', 'mobile'] });
    const damage = defineService({ code: 'CITY-PROPERTY-DAMAGE', name: 'Damage to city property', group: 'City operations', staffOnly: true });

    it('refuses a channel the service does not take', () => {
      expect(violations(validateAnswers(driveway, {}, 'email'))).toEqual([
        { field: 'channel', rule: 'channelAllowed', message: 'BLOCKED-DRIVEWAY (Blocked driveway) cannot be requested by email; only by phone, mobile' },
      ]);
      expect(validateAnswers(driveway, {}, 'phone').ok).toBe(true);
    });

    it('keeps staff-only services off the public channels', () => {
      for (const channel of ['web', 'mobile', 'email', 'ivr', 'api'] as const) {
        expect(violations(validateAnswers(damage, {}, channel))).toEqual([
          { field: 'channel', rule: 'staffOnly', message: `CITY-PROPERTY-DAMAGE (Damage to city property) is for city staff only and cannot be requested by ${channel}` },
        ]);
      }
      for (const channel of ['phone', 'in-person', 'system'] as const) expect(validateAnswers(damage, {}, channel).ok).toBe(true);
    });

    it('takes no new requests for a retired service', () => {
      expect(violations(validateAnswers({ ...driveway, active: false }, {}, 'phone'))).toEqual([
        { field: 'serviceCode', rule: 'serviceActive', message: 'BLOCKED-DRIVEWAY (Blocked driveway) has been retired and takes no new requests' },
      ]);
    });

    it('points Open311 clients at the service code', () => {
      expect(violations(validateAnswers(damage, {}, 'api', open311FieldNames))[0].field).toBe('service_code');
    });
  });
});
