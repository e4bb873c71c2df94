import type { Point } from '@caseline/city-geography';

/**
 * When a new case is the same problem as an open one: the same type (or group) within a distance
 * and a time window. Policies are per type or group, because "the same place" differs — a
 * streetlight is one pole, illegal dumping one lot — and some problems (noise) are never merged:
 * each complaint counts.
 */
export interface DuplicatePolicy {
  id: string;
  /** The new case's type or group this policy applies to; candidates must share it. */
  serviceCodes?: string[];
  groups?: string[];
  withinMeters: number;
  withinHours: number;
}

export interface DuplicatePolicies {
  policies: DuplicatePolicy[];
}

/** The first policy for this type or group, if any. */
export function policyFor(policies: DuplicatePolicies, serviceCode: string, group: string): DuplicatePolicy | undefined {
  return policies.policies.find((p) => p.serviceCodes?.includes(serviceCode) || p.groups?.includes(group));
}

const EARTH_RADIUS_M = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: Point, b: Point): number {
  const dLat = radians(b.lat - a.lat);
  const dLong = radians(b.long - a.long);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLong / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A latitude/longitude box that holds every point within `meters` of `center` (for an index prefilter). */
export function boxAround(center: Point, meters: number): { minLat: number; maxLat: number; minLong: number; maxLong: number } {
  const dLat = (meters / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLong = dLat / Math.max(Math.cos(radians(center.lat)), 1e-6);
  return { minLat: center.lat - dLat, maxLat: center.lat + dLat, minLong: center.long - dLong, maxLong: center.long + dLong };
}

/** Problems with a policies file, each naming the policy and the field. */
export function validateDuplicatePolicies(value: unknown, context: { services: readonly { code: string; group: string }[] }): string[] {
  const policies = (value as DuplicatePolicies | undefined)?.policies;
  if (!Array.isArray(policies)) return ['duplicates.json must hold { "policies": [...] }'];
  const codes = new Set(context.services.map((s) => s.code));
  const groups = new Set(context.services.map((s) => s.group));
  const ids = new Set<string>();
  return policies.flatMap((policy: Partial<DuplicatePolicy>, index) => {
    const name = `policies[${index}]${policy.id ? ` ("${policy.id}")` : ''}`;
    const problems: string[] = [];
    if (typeof policy.id !== 'string' || policy.id === '') problems.push(`${name}: id is required`);
    else if (ids.has(policy.id)) problems.push(`${name}: id is used twice`);
    else ids.add(policy.id);
    if (!policy.serviceCodes && !policy.groups) problems.push(`${name}: give serviceCodes or groups`);
    for (const code of policy.serviceCodes ?? []) if (!codes.has(code)) problems.push(`${name}: service "${code}" does not exist`);
    for (const group of policy.groups ?? []) if (!groups.has(group)) problems.push(`${name}: service group "${group}" does not exist`);
    if (!(typeof policy.withinMeters === 'number' && policy.withinMeters > 0 && policy.withinMeters <= 5000)) problems.push(`${name}: withinMeters must be a number from 0 to 5000`);
    if (!(typeof policy.withinHours === 'number' && policy.withinHours > 0 && policy.withinHours <= 24 * 365)) problems.push(`${name}: withinHours must be a number of hours up to a year`);
    return problems;
  });
}
