import { checkJurisdiction } from './errors';
import { OPEN311_LIMITS, parseRequestsQuery, parseServiceRequestForm, parseUpdatesQuery } from './parse';

// The spec's example body, verbatim.
const SPEC_EXAMPLE =
  'api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street' +
  '&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111' +
  '&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg' +
  '&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001';

const errorsOf = (result: { ok: boolean; errors?: readonly { description: string }[] }) => result.errors?.map((e) => e.description);

describe('parseServiceRequestForm', () => {
  it("reads the spec's example request", () => {
    expect(parseServiceRequestForm(SPEC_EXAMPLE)).toEqual({
      ok: true,
      value: {
        api_key: 'xyz',
        jurisdiction_id: 'city.gov',
        service_code: '001',
        lat: 37.76524078,
        long: -122.4212043,
        address_string: '1234 5th street',
        email: 'smit333@sfgov.edu',
        device_id: 'tt222111',
        account_id: '123456',
        first_name: 'john',
        last_name: 'smith',
        phone: '111111111',
        description: 'A large sinkhole is destroying the street',
        media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
        attributes: { WHISPAWN: '123456', WHISDORN: 'COISL001' },
      },
    });
  });

  it('reads attribute[CODE][] as a list, for multivaluelist attributes, also encoded and PHP-indexed', () => {
    const form = new URLSearchParams([
      ['api_key', 'k'],
      ['service_code', 'S0301'],
      ['address_id', '545483'],
      ['attribute[WHISPOLO]', 'STREE001'],
      ['attribute[MATERIAL][]', 'ASPHALT'],
      ['attribute[MATERIAL][]', 'BRICK'],
      ['attribute[ONE][]', 'only'],
      ['attribute[PHP][0]', 'a'],
      ['attribute[PHP][1]', 'b'],
      ['attribute[EMPTY]', ''],
      ['attribute[__proto__]', 'safe'],
    ]);
    const parsed = parseServiceRequestForm(form);
    expect(parsed.ok && parsed.value.attributes).toEqual({ WHISPOLO: 'STREE001', MATERIAL: ['ASPHALT', 'BRICK'], ONE: ['only'], PHP: ['a', 'b'], ['__proto__']: 'safe' });
    expect(parseServiceRequestForm('api_key=k&service_code=X&address_id=1&attribute%5BM%5D%5B%5D=1&attribute%5BM%5D%5B%5D=2')).toMatchObject({
      ok: true,
      value: { attributes: { M: ['1', '2'] } },
    });
    expect(({} as Record<string, unknown>).safe).toBeUndefined();
  });

  it('keeps every value of a repeated attribute[CODE] rather than dropping one', () => {
    const parsed = parseServiceRequestForm('api_key=k&service_code=X&address_id=1&attribute[A]=1&attribute[A]=2');
    expect(parsed.ok && parsed.value.attributes).toEqual({ A: ['1', '2'] });
  });

  it.each([
    ['lat and long', 'lat=40.7&long=-73.9', { lat: 40.7, long: -73.9 }],
    ['address_string', 'address_string=8TH+AVE+and+JUDAH+ST', { address_string: '8TH AVE and JUDAH ST' }],
    ['address_id', 'address_id=545483', { address_id: '545483' }],
    ['lat 0, long 0', 'lat=0&long=0', { lat: 0, long: 0 }],
  ])('takes a location by %s', (_, location, expected) => {
    expect(parseServiceRequestForm(`api_key=k&service_code=001&${location}`)).toMatchObject({ ok: true, value: expected });
  });

  it('answers 403 without an api_key, before anything else', () => {
    const result = parseServiceRequestForm('service_code=001');
    expect(result).toMatchObject({ ok: false, status: 403, errors: [{ code: 403, description: 'api_key is required to submit a service request' }] });
  });

  it('answers 400 with every problem at once, each in Open311 form', () => {
    const result = parseServiceRequestForm('api_key=k&service_code=&lat=40.7');
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(!result.ok && result.errors).toEqual([
      { code: 400, description: 'service_code is required' },
      { code: 400, description: 'lat and long must be sent together' },
    ]);
  });

  it('requires a location', () => {
    expect(errorsOf(parseServiceRequestForm('api_key=k&service_code=001&description=hole'))).toEqual([
      'a location is required: lat and long, address_string, or address_id',
    ]);
  });

  it.each([
    ['lat=north&long=-73.9', "lat must be a decimal number in degrees (WGS84), not 'north'"],
    ['lat=40,7&long=-73.9', "lat must be a decimal number in degrees (WGS84), not '40,7'"],
    ['lat=0x10&long=1', "lat must be a decimal number in degrees (WGS84), not '0x10'"],
    ['lat=90.5&long=0', 'lat must be between -90 and 90, not 90.5'],
    ['lat=0&long=-180.01', 'long must be between -180 and 180, not -180.01'],
    ['long=-73.9&address_string=x', 'lat and long must be sent together'],
  ])('refuses %s', (location, problem) => {
    expect(errorsOf(parseServiceRequestForm(`api_key=k&service_code=001&${location}`))).toEqual([problem]);
  });

  it('refuses attribute[] without a code', () => {
    expect(errorsOf(parseServiceRequestForm('api_key=k&service_code=001&address_id=1&attribute[]=x'))).toEqual([
      "'attribute[]' names no attribute code; send attribute[CODE]=value",
    ]);
  });
});

describe('parseRequestsQuery', () => {
  const now = new Date('2024-06-30T12:00:00Z');
  const DAY = 24 * 60 * 60 * 1000;

  it('defaults to the most recent 90 days, the first page of 1000, without extensions', () => {
    expect(parseRequestsQuery('', now)).toEqual({
      ok: true,
      value: { by: 'search', extensions: false, start_date: new Date(now.getTime() - 90 * DAY), end_date: now, page: 1, page_size: 1000 },
    });
    expect(OPEN311_LIMITS).toEqual({ windowDays: 90, maxResults: 1000, defaultPageSize: 1000 });
  });

  it("reads the spec's sample query, with comma lists and repeated parameters", () => {
    const query = 'start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open,closed&service_code=001,002&service_code=003&jurisdiction_id=city.gov&page=2&page_size=50&extensions=true';
    expect(parseRequestsQuery(query, now)).toEqual({
      ok: true,
      value: {
        by: 'search',
        jurisdiction_id: 'city.gov',
        extensions: true,
        service_codes: ['001', '002', '003'],
        statuses: ['open', 'closed'],
        start_date: new Date('2010-05-24T00:00:00Z'),
        end_date: new Date('2010-06-24T00:00:00Z'),
        page: 2,
        page_size: 50,
      },
    });
  });

  it('extends a single date by 90 days, forward from start_date or back from end_date', () => {
    expect(parseRequestsQuery('start_date=2024-01-01T00:00:00Z', now)).toMatchObject({
      value: { start_date: new Date('2024-01-01T00:00:00Z'), end_date: new Date('2024-03-31T00:00:00Z') },
    });
    expect(parseRequestsQuery('end_date=2024-03-31T00:00:00-04:00', now)).toMatchObject({
      value: { start_date: new Date('2024-01-01T04:00:00Z'), end_date: new Date('2024-03-31T04:00:00Z') },
    });
  });

  it('lets service_request_id override every other argument', () => {
    expect(parseRequestsQuery('service_request_id=638344,638349&status=bogus&start_date=garbage&extensions=true', now)).toEqual({
      ok: true,
      value: { by: 'ids', extensions: true, service_request_ids: ['638344', '638349'] },
    });
  });

  it.each([
    ['start_date=2024-01-01T00:00:00Z&end_date=2024-04-01T00:00:01Z', 'start_date and end_date may not span more than 90 days'],
    ['start_date=2024-02-01T00:00:00Z&end_date=2024-01-01T00:00:00Z', 'start_date must not be after end_date'],
    ['start_date=2024-01-01', "start_date: '2024-01-01' has no time zone; send e.g. 2010-01-01T00:00:00Z or 2010-01-01T00:00:00-05:00"],
    ['end_date=soon', "end_date: 'soon' is not a W3C datetime such as 2010-01-01T00:00:00Z"],
    ['status=pending', "status must be open or closed (or both, comma-separated), not 'pending'"],
    ['page_size=1001', "page_size must be a whole number from 1 to 1000, not '1001'"],
    ['page_size=0', "page_size must be a whole number from 1 to 1000, not '0'"],
    ['page=-1', "page must be a whole number from 1, not '-1'"],
    ['extensions=yes', "extensions must be true or false, not 'yes'"],
    [`service_request_id=${Array.from({ length: 1001 }, (_, i) => i).join(',')}`, 'at most 1000 service_request_id may be asked for at once'],
  ])('answers 400 to %s', (query, problem) => {
    expect(parseRequestsQuery(query, now)).toEqual({ ok: false, status: 400, errors: [{ code: 400, description: problem }] });
  });

  it('accepts exactly 90 days and exactly 1000 results', () => {
    expect(parseRequestsQuery('start_date=2024-01-01T00:00:00Z&end_date=2024-03-31T00:00:00Z&page_size=1000', now).ok).toBe(true);
  });
});

describe('parseUpdatesQuery', () => {
  const now = new Date('2024-06-30T12:00:00Z');

  it("reads FixMyStreet's poll: the last two hours, with its jurisdiction_id and api_key", () => {
    const query = 'jurisdiction_id=city.gov&api_key=k&start_date=2024-06-30T10:00:00Z&end_date=2024-06-30T12:00:00Z';
    expect(parseUpdatesQuery(query, now)).toEqual({
      ok: true,
      value: {
        jurisdiction_id: 'city.gov',
        api_key: 'k',
        start_date: new Date('2024-06-30T10:00:00Z'),
        end_date: new Date('2024-06-30T12:00:00Z'),
        page: 1,
        page_size: 1000,
      },
    });
  });

  it('applies the same window rules', () => {
    expect(parseUpdatesQuery('', now)).toMatchObject({ ok: true, value: { end_date: now } });
    expect(parseUpdatesQuery('start_date=2024-06-30T10:00:00', now)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('checkJurisdiction', () => {
  it('ignores jurisdiction_id when one jurisdiction is served, as the spec allows', () => {
    expect(checkJurisdiction(undefined, ['city.gov'])).toBeUndefined();
    expect(checkJurisdiction('anything', ['city.gov'])).toBeUndefined();
  });

  it('requires a served one when several are', () => {
    expect(checkJurisdiction('b.gov', ['a.gov', 'b.gov'])).toBeUndefined();
    expect(checkJurisdiction(undefined, ['a.gov', 'b.gov'])).toEqual({ status: 400, errors: [{ code: 400, description: 'jurisdiction_id is required' }] });
    expect(checkJurisdiction('c.gov', ['a.gov', 'b.gov'])).toEqual({
      status: 404,
      errors: [{ code: 404, description: "jurisdiction_id 'c.gov' was not found" }],
    });
  });
});
