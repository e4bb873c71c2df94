import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Realistic reports for the fault suite: one day of New York City's 311 requests (../shared/data),
 * their complaint types as the demo city's catalog names them, at the places New Yorkers gave, on
 * the channels they used. Required questions get the first answer the catalog allows.
 */
const ROOT = join(__dirname, '../..');
const NYC_DAY = join(ROOT, '../shared/data/nyc-311-2018-10-21.csv');

/** NYC complaint type → demo catalog code (config/demo-city/catalog.json). */
const CATALOG_CODE: Record<string, string> = {
  'HEAT/HOT WATER': 'NO-HEAT',
  'Noise - Residential': 'NOISE-RESIDENTIAL',
  'Request Large Bulky Item Collection': 'BULK-PICKUP',
  'Illegal Parking': 'ILLEGAL-PARKING',
  'Blocked Driveway': 'BLOCKED-DRIVEWAY',
  'Noise - Commercial': 'NOISE-COMMERCIAL',
  'UNSANITARY CONDITION': 'LANDLORD-REPAIRS',
  PLUMBING: 'LANDLORD-REPAIRS',
  'Damaged Tree': 'DEAD-TREE',
  'Overgrown Tree/Branches': 'DEAD-TREE',
  'Water System': 'WATER-LEAK',
  Rodent: 'RODENTS',
  'Missed Collection (All Materials)': 'MISSED-COLLECTION',
  'Street Condition': 'POTHOLE',
  'Derelict Vehicle': 'ABANDONED-VEHICLE',
  'Derelict Vehicles': 'ABANDONED-VEHICLE',
  Sewer: 'SEWER-BACKUP',
  'Sanitation Condition': 'LITTER-BASKET',
  'Street Light Condition': 'STREETLIGHT',
  'Sidewalk Condition': 'SIDEWALK-DAMAGE',
  'Dirty Conditions': 'DIRTY-LOT',
  'Traffic Signal Condition': 'TRAFFIC-SIGNAL',
  'New Tree Request': 'TREE-PLANTING',
  'Animal Abuse': 'ANIMAL-NEGLECT',
  'Food Establishment': 'FOOD-ESTABLISHMENT',
  Graffiti: 'GRAFFITI',
};

interface CatalogAttribute {
  code: string;
  datatype: string;
  required?: boolean;
  values?: { key: string }[];
}

export interface Report {
  serviceCode: string;
  description: string;
  location: { lat: number; long: number };
  channel: 'web' | 'mobile';
  attributes: Record<string, string | string[]>;
  reporter: { name: string; email: string; language: 'en' | 'es' };
}

/** Splits one CSV line (quoted fields may hold commas). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

function answers(attributes: CatalogAttribute[] = []): Report['attributes'] {
  const required = attributes.filter((attribute) => attribute.required);
  return Object.fromEntries(
    required.map((attribute) => {
      const first = attribute.values?.[0]?.key ?? '';
      const answer = { singlevaluelist: first, multivaluelist: [first], number: '1', datetime: '2026-11-01T09:00:00-05:00' }[attribute.datatype] ?? 'Not sure';
      return [attribute.code, answer];
    }),
  );
}

/** A deterministic shuffle (the same run of the suite sends the same reports in the same order). */
function shuffled<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** `count` reports from the real day, each marked `run #n` in its description, each reporter a mailbox of its own. */
export function sampleReports(count: number, run: string): Report[] {
  const catalog = JSON.parse(readFileSync(join(ROOT, 'config/demo-city/catalog.json'), 'utf8')) as { services: { code: string; attributes?: CatalogAttribute[] }[] };
  const attributesOf = new Map(catalog.services.map((service) => [service.code, service.attributes]));
  const [header, ...lines] = readFileSync(NYC_DAY, 'utf8').replace(/^\uFEFF/, '').split('\n');
  const column = Object.fromEntries(csvFields(header).map((name, index) => [name.trim(), index]));
  const rows = lines
    .map(csvFields)
    .map((f) => ({ type: f[column['Complaint Type']], descriptor: f[column['Descriptor']], lat: Number(f[column['Latitude']]), long: Number(f[column['Longitude']]), channel: f[column['Open Data Channel Type']] }))
    .filter((row) => CATALOG_CODE[row.type] && row.lat && row.long);
  const picked = shuffled(rows, 311);
  return Array.from({ length: count }, (_, n) => {
    const row = picked[n % picked.length];
    const serviceCode = CATALOG_CODE[row.type];
    return {
      serviceCode,
      description: `${row.type}: ${row.descriptor || 'no details'} (${run} #${n})`,
      location: { lat: row.lat, long: row.long },
      channel: row.channel === 'MOBILE' ? 'mobile' : 'web',
      attributes: answers(attributesOf.get(serviceCode)),
      reporter: { name: 'Fault Suite Resident', email: `resident-${n}.${run}@example.org`, language: n % 5 === 4 ? 'es' : 'en' },
    };
  });
}
