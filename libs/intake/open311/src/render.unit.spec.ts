import { w3cDateTime } from './datetime';
import type { ServiceRequest } from './model';
import { CONTENT_TYPES, formatOf, render, renderJson, renderXml } from './render';
import { escapeXml } from './xml';

// Expected documents follow the spec's own examples (http://wiki.open311.org/GeoReport_v2), with
// identifiers as strings and our two-space indentation.
const at = (iso: string) => w3cDateTime(new Date(iso), 'Etc/GMT+8');
const xml = (body: string) => `<?xml version="1.0" encoding="utf-8"?>\n${body}\n`;

describe('GET services', () => {
  const services = [
    {
      service_code: '001',
      service_name: 'Cans left out 24x7',
      description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
      metadata: true,
      type: 'realtime' as const,
      keywords: ['lorem', 'ipsum', 'dolor'],
      group: 'sanitation',
    },
  ];

  it('renders <services><service>, keywords comma-separated, booleans as true/false', () => {
    expect(renderXml('services', services)).toBe(
      xml(`<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>`),
    );
    expect(JSON.parse(renderJson('services', services))).toEqual([{ ...services[0], keywords: 'lorem, ipsum, dolor' }]);
  });

  it('renders an empty list', () => {
    expect(renderXml('services', [])).toBe(xml('<services/>'));
    expect(renderJson('services', [])).toBe('[]');
  });
});

describe('GET services/{service_code}', () => {
  const definition = {
    service_code: 'DMV66',
    attributes: [
      {
        variable: true,
        code: 'WHISHETN',
        datatype: 'singlevaluelist' as const,
        required: true,
        datatype_description: null,
        order: 1,
        description: 'What is the ticket/tag/DL number?',
        values: [
          { key: '123', name: 'Ford' },
          { key: '124', name: 'Chrysler' },
        ],
      },
      {
        variable: false,
        code: 'NOTE',
        datatype: 'text' as const,
        required: false,
        datatype_description: 'Character',
        order: 2,
        description: 'We fix these in 3 days',
        values: [],
      },
    ],
  };

  it('renders <service_definition> with <attributes><attribute> and <values><value><key>/<name>', () => {
    expect(renderXml('service_definition', definition)).toBe(
      xml(`<service_definition>
  <service_code>DMV66</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>WHISHETN</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description/>
      <order>1</order>
      <description>What is the ticket/tag/DL number?</description>
      <values>
        <value>
          <key>123</key>
          <name>Ford</name>
        </value>
        <value>
          <key>124</key>
          <name>Chrysler</name>
        </value>
      </values>
    </attribute>
    <attribute>
      <variable>false</variable>
      <code>NOTE</code>
      <datatype>text</datatype>
      <required>false</required>
      <datatype_description>Character</datatype_description>
      <order>2</order>
      <description>We fix these in 3 days</description>
      <values/>
    </attribute>
  </attributes>
</service_definition>`),
    );
    expect(JSON.parse(renderJson('service_definition', definition))).toEqual(definition);
  });
});

describe('GET requests and requests/{id}', () => {
  const request: ServiceRequest = {
    service_request_id: '638344',
    status: 'closed',
    status_notes: 'Duplicate request.',
    service_name: 'Sidewalk and Curb Issues',
    service_code: '006',
    description: null,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: at('2010-04-14T14:37:38Z'),
    updated_datetime: at('2010-04-14T14:37:38Z'),
    expected_datetime: at('2010-04-15T14:37:38Z'),
    address: '8TH AVE and JUDAH ST',
    address_id: '545483',
    zipcode: '94122',
    lat: 37.762221815,
    long: -122.4651145,
    media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
  };

  it('renders <service_requests><request> with the fields in the spec order, nulls as empty elements', () => {
    expect(renderXml('service_requests', [request])).toBe(
      xml(`<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description/>
    <agency_responsible/>
    <service_notice/>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
  </request>
</service_requests>`),
    );
    expect(renderJson('service_requests', [request])).toBe(
      '[{"service_request_id":"638344","status":"closed","status_notes":"Duplicate request.","service_name":"Sidewalk and Curb Issues",' +
        '"service_code":"006","description":null,"agency_responsible":null,"service_notice":null,' +
        '"requested_datetime":"2010-04-14T06:37:38-08:00","updated_datetime":"2010-04-14T06:37:38-08:00","expected_datetime":"2010-04-15T06:37:38-08:00",' +
        '"address":"8TH AVE and JUDAH ST","address_id":"545483","zipcode":"94122","lat":37.762221815,"long":-122.4651145,' +
        '"media_url":"http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}]',
    );
  });

  it('leaves out the fields the spec says may not be returned when they are undefined, and any property not in the spec', () => {
    const { status_notes: _notes, agency_responsible: _agency, service_notice: _notice, expected_datetime: _expected, ...minimal } = request;
    const withInternals = { ...minimal, caseId: 'internal' } as ServiceRequest;
    expect(Object.keys(JSON.parse(renderJson('service_requests', [withInternals]))[0])).toEqual([
      'service_request_id',
      'status',
      'service_name',
      'service_code',
      'description',
      'requested_datetime',
      'updated_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ]);
  });

  it('renders the extensions=true block: attributes, extended_attributes and notes', () => {
    const extended: ServiceRequest = {
      ...request,
      attributes: [{ label: 'Where is the pothole?', name: 'WHISPOLO', value: 'Street', code: 'STREE001' }],
      extended_attributes: { channel: 'android', reference: '100-000-123', photos: ['a.jpg', 'b.jpg'] },
      notes: [{ datetime: at('2010-04-14T14:37:38Z'), description: 'Submitted via Android', type: 'submitted' }],
    };
    expect(renderXml('service_requests', [extended])).toContain(`    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
    <attributes>
      <attribute>
        <label>Where is the pothole?</label>
        <name>WHISPOLO</name>
        <value>Street</value>
        <code>STREE001</code>
      </attribute>
    </attributes>
    <extended_attributes>
      <channel>android</channel>
      <reference>100-000-123</reference>
      <photos>
        <photo>a.jpg</photo>
        <photo>b.jpg</photo>
      </photos>
    </extended_attributes>
    <notes>
      <note>
        <datetime>2010-04-14T06:37:38-08:00</datetime>
        <description>Submitted via Android</description>
        <type>submitted</type>
      </note>
    </notes>
  </request>`);
    expect(JSON.parse(renderJson('service_requests', [extended]))[0]).toMatchObject({
      attributes: extended.attributes,
      extended_attributes: extended.extended_attributes,
      notes: extended.notes,
    });
  });
});

describe('POST requests', () => {
  it('answers a list of one <request>, as the spec shows; a null account_id is an empty element', () => {
    const created = { service_request_id: '293944', service_notice: 'The City will inspect within 24 hours', account_id: null };
    expect(renderXml('service_request_created', created)).toBe(
      xml(`<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect within 24 hours</service_notice>
    <account_id/>
  </request>
</service_requests>`),
    );
    expect(renderJson('service_request_created', created)).toBe(
      '[{"service_request_id":"293944","service_notice":"The City will inspect within 24 hours","account_id":null}]',
    );
  });

  it('answers a token instead for a batch service', () => {
    expect(renderJson('service_request_created', { token: 'abc123' })).toBe('[{"token":"abc123"}]');
  });
});

describe('GET tokens/{token}', () => {
  it('renders <service_requests><request> with service_request_id and token', () => {
    const token = { service_request_id: '638344', token: '12345' };
    expect(renderXml('token', token)).toBe(
      xml(`<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <token>12345</token>
  </request>
</service_requests>`),
    );
    expect(renderJson('token', token)).toBe('[{"service_request_id":"638344","token":"12345"}]');
  });
});

describe('errors', () => {
  it('renders <errors><error><code>/<description>, and a JSON list', () => {
    const errors = [{ code: 403, description: "Invalid api_key received -- can't proceed with create_request." }];
    expect(renderXml('errors', errors)).toBe(
      xml(`<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can&apos;t proceed with create_request.</description>
  </error>
</errors>`),
    );
    expect(renderJson('errors', errors)).toBe(`[{"code":403,"description":"Invalid api_key received -- can't proceed with create_request."}]`);
  });
});

describe('GET discovery', () => {
  it('renders <discovery> with <endpoints><endpoint> and <formats><format>', () => {
    const discovery = {
      changeset: '2011-02-03 14:18',
      contact: 'You can email or call for assistance api@mycity.org +1 (555) 555-5555',
      key_service: 'You can request a key here: http://api.mycity.gov/api_key/request',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: 'http://open311.mycity.gov/v2',
          changeset: '2010-11-23 09:01',
          type: 'production' as const,
          formats: ['text/xml', 'application/json'],
        },
      ],
    };
    expect(renderXml('discovery', discovery)).toBe(
      xml(`<discovery>
  <changeset>2011-02-03 14:18</changeset>
  <contact>You can email or call for assistance api@mycity.org +1 (555) 555-5555</contact>
  <key_service>You can request a key here: http://api.mycity.gov/api_key/request</key_service>
  <endpoints>
    <endpoint>
      <specification>http://wiki.open311.org/GeoReport_v2</specification>
      <url>http://open311.mycity.gov/v2</url>
      <changeset>2010-11-23 09:01</changeset>
      <type>production</type>
      <formats>
        <format>text/xml</format>
        <format>application/json</format>
      </formats>
    </endpoint>
  </endpoints>
</discovery>`),
    );
    expect(JSON.parse(renderJson('discovery', discovery))).toEqual(discovery);
  });
});

describe('GET servicerequestupdates', () => {
  it('renders <service_request_updates><request_update> as FixMyStreet reads it', () => {
    const updates = [
      {
        update_id: '100-000-123/7',
        service_request_id: '100-000-123',
        status: 'closed' as const,
        updated_datetime: w3cDateTime(new Date('2014-01-01T13:00:00Z'), 'UTC'),
        description: 'Fixed',
        media_url: null,
        external_status_code: 'completed',
      },
    ];
    expect(renderXml('service_request_updates', updates)).toBe(
      xml(`<service_request_updates>
  <request_update>
    <update_id>100-000-123/7</update_id>
    <service_request_id>100-000-123</service_request_id>
    <status>closed</status>
    <updated_datetime>2014-01-01T13:00:00+00:00</updated_datetime>
    <description>Fixed</description>
    <media_url/>
    <external_status_code>completed</external_status_code>
  </request_update>
</service_request_updates>`),
    );
    expect(JSON.parse(renderJson('service_request_updates', updates))).toEqual(updates);
  });
});

describe('escaping', () => {
  it('escapes & < > " \' and keeps CR, in text and in XML output', () => {
    expect(escapeXml(`Tom & Jerry <b>"hi"</b> it's\r\n`)).toBe('Tom &amp; Jerry &lt;b&gt;&quot;hi&quot;&lt;/b&gt; it&apos;s&#13;\n');
  });

  it('strips characters XML 1.0 cannot carry: C0 controls, lone surrogates, U+FFFE/U+FFFF; keeps tab, LF, astral characters', () => {
    expect(escapeXml('a\u0000b\u0008c\u000Bd\u001Fe\uD800f\uDC00g\uFFFEh\uFFFFi\tj\nk🚧')).toBe('abcdefghi\tj\nk🚧');
    expect(renderXml('errors', [{ code: 400, description: 'bad\u0007 <input>' }])).toContain('<description>bad &lt;input&gt;</description>');
  });

  it('keeps everything in JSON, escaped by JSON itself', () => {
    expect(JSON.parse(renderJson('errors', [{ code: 400, description: 'a\u0000"b"</script>' }]))[0].description).toBe('a\u0000"b"</script>');
  });

  it('refuses extension keys that are not XML names', () => {
    const request = { extended_attributes: { 'not a name': 1 } } as unknown as ServiceRequest;
    expect(() => renderXml('service_requests', [request])).toThrow("Not an XML element name: 'not a name'");
  });
});

describe('formats', () => {
  it('reads the format off the last path segment', () => {
    expect(formatOf('requests.json')).toEqual({ name: 'requests', format: 'json' });
    expect(formatOf('requests.xml')).toEqual({ name: 'requests', format: 'xml' });
    expect(formatOf('S0301.XML')).toEqual({ name: 'S0301', format: 'xml' });
    expect(formatOf('v1.2.json')).toEqual({ name: 'v1.2', format: 'json' });
    expect(formatOf('requests')).toBeUndefined();
    expect(formatOf('requests.html')).toBeUndefined();
    expect(formatOf('.json')).toBeUndefined();
  });

  it('renders with the content type the spec gives', () => {
    expect(render('json', 'errors', [])).toEqual({ contentType: 'application/json; charset=utf-8', body: '[]' });
    expect(render('xml', 'errors', [])).toEqual({ contentType: CONTENT_TYPES.xml, body: xml('<errors/>') });
    expect(CONTENT_TYPES.xml).toBe('text/xml; charset=utf-8');
  });
});
