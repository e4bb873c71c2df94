import type { Channel } from '@caseline/case-contracts';

/** The Open311 GeoReport v2 attribute datatypes, in the spec's own words. */
export const attributeDatatypes = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type AttributeDatatype = (typeof attributeDatatypes)[number];

export const isListDatatype = (datatype: AttributeDatatype): boolean => datatype === 'singlevaluelist' || datatype === 'multivaluelist';

/** One allowed answer of a list attribute: `key` is what a client sends, `name` what a person reads. */
export interface AttributeValue {
  key: string;
  name: string;
}

/** A question a service asks, as an Open311 service definition attribute (see open311AttributeFields). */
export interface Attribute {
  code: string;
  /** false: the attribute only shows information (a note, a warning) and takes no answer. */
  variable: boolean;
  datatype: AttributeDatatype;
  required: boolean;
  /** A hint on how to answer, e.g. "Choose one". */
  datatypeDescription: string;
  /** Where the question is shown: 1 comes first. */
  order: number;
  /** The question itself. */
  description: string;
  /** The allowed answers of a list datatype; empty for the others. */
  values: AttributeValue[];
}

/** A request type of the city's catalog (see open311ServiceFields for what Open311 calls each field). */
export interface ServiceDefinition {
  code: string;
  name: string;
  group: string;
  description: string;
  keywords: string[];
  attributes: Attribute[];
  /** The channels it may be requested on; absent means every channel. */
  channels?: Channel[];
  /** Only city staff may file it (see isPublicChannel). */
  staffOnly: boolean;
  /** false once retired: kept so old cases still resolve their service, but closed to new requests. */
  active: boolean;
}

/**
 * Our names → Open311 GeoReport v2 names, for the Open311 renderer. `satisfies` keeps the attribute
 * map 1:1 with Attribute. A service's Open311 `metadata` is `attributes.length > 0`, its `type` is
 * "realtime" and `keywords` are joined with ", "; channels, staffOnly and active have no Open311 field.
 */
export const open311AttributeFields = {
  code: 'code',
  variable: 'variable',
  datatype: 'datatype',
  required: 'required',
  datatypeDescription: 'datatype_description',
  order: 'order',
  description: 'description',
  values: 'values',
} as const satisfies Record<keyof Attribute, string>;

export const open311ServiceFields = {
  code: 'service_code',
  name: 'service_name',
  group: 'group',
  description: 'description',
  keywords: 'keywords',
  attributes: 'attributes',
} as const satisfies Partial<Record<keyof ServiceDefinition, string>>;

/**
 * Who files a request on each channel: residents themselves, or city staff on their behalf.
 * A Record, so that a new Channel in the contracts does not compile until someone decides here.
 */
const channelAudience: Record<Channel, 'public' | 'staff'> = {
  web: 'public',
  mobile: 'public',
  email: 'public',
  ivr: 'public',
  api: 'public',
  phone: 'staff',
  'in-person': 'staff',
  system: 'staff',
};

export const allChannels = Object.keys(channelAudience) as Channel[];
export const isChannel = (value: string): value is Channel => Object.hasOwn(channelAudience, value);
export const isPublicChannel = (channel: Channel): boolean => channelAudience[channel] === 'public';

/** Whether the catalog offers this service on this channel (what a channel's list of services shows). */
export const isOfferedOn = (service: ServiceDefinition, channel: Channel): boolean =>
  service.active && (service.channels?.includes(channel) ?? true) && !(service.staffOnly && isPublicChannel(channel));

/** An attribute as written in a catalog file or an admin request: only what has no sensible default. */
export type AttributeInput = Pick<Attribute, 'code' | 'datatype' | 'order' | 'description'> & Partial<Attribute>;

export type ServiceDefinitionInput = Pick<ServiceDefinition, 'code' | 'name' | 'group'> &
  Partial<Omit<ServiceDefinition, 'attributes'>> & { attributes?: AttributeInput[] };

const datatypeHints: Record<AttributeDatatype, string> = {
  string: 'Text',
  number: 'A number',
  datetime: 'Date and time with time zone, e.g. 2026-03-14T21:30:00-05:00',
  text: 'Text, as long as needed',
  singlevaluelist: 'Choose one',
  multivaluelist: 'Choose all that apply',
};

function defineAttribute(input: AttributeInput): Attribute {
  return { variable: true, required: false, datatypeDescription: datatypeHints[input.datatype] ?? '', values: [], ...input };
}

/** Fills in the defaults, so files and admin requests need not repeat them. Does not validate: see validateCatalog. */
export function defineService(input: ServiceDefinitionInput): ServiceDefinition {
  const { attributes = [], ...service } = input;
  return { description: '', keywords: [], staffOnly: false, active: true, ...service, attributes: attributes.map(defineAttribute) };
}
