import type { Actor } from '@caseline/case-contracts';

/**
 * Who city staff are to Caseline. Roles come from the city's identity provider (a claim of the
 * verified token); a person may hold several. Department staff act only for the departments in
 * their token; everyone else is city-wide.
 */
export const ROLES = ['operator', 'department-staff', 'supervisor', 'administrator', 'auditor', 'monitoring'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/**
 * What each role may do: the whole authorization policy in one table. An endpoint names one
 * permission (see access.ts); the matrix test (e2e/authorization-matrix.e2e.spec.ts) checks every
 * endpoint against every role.
 */
export const PERMISSIONS = {
  /** Staff views of cases and their full history (department staff: their department's cases). */
  'cases:read': ['operator', 'supervisor', 'auditor', 'department-staff'],
  /** File a report for a caller (phone, in person, IVR). */
  'cases:report-for-caller': ['operator', 'supervisor'],
  /** One department asking another (channel internal). */
  'cases:report-internal': ['operator', 'supervisor', 'department-staff'],
  /** Triage: duplicates, splits, links, questions to the reporter, cancel or reopen for a caller. */
  'cases:handle': ['operator', 'supervisor'],
  /** A note on a case (department staff: on their department's cases). */
  'cases:note': ['operator', 'supervisor', 'department-staff'],
  /** A department's work queue (department staff: their own). An operator sees it but cannot change it. */
  'work:read': ['department-staff', 'supervisor', 'operator', 'auditor'],
  'work:change': ['department-staff', 'supervisor'],
  /** Routing's triage queue and its decisions. */
  'triage:decide': ['operator', 'supervisor'],
  /** Reading the configuration: catalog, routing rules, areas, department systems, templates. */
  'config:read': ['administrator', 'supervisor', 'auditor'],
  /** Changing it: only administrators. */
  'config:change': ['administrator'],
  /** Sending a dead work order again. */
  'operations:redrive': ['administrator', 'supervisor'],
  /** Issuing and revoking portals' and partners' API keys. */
  'api-keys:manage': ['administrator'],
  /** Erasing a resident's personal data at their request. */
  'personal-data:erase': ['operator', 'supervisor'],
  /** Who read residents' personal data, when. */
  'personal-data:audit': ['auditor'],
  /** The city's performance figures (CitiStat): aggregates and the cases behind them, nothing personal. */
  'figures:read': ['supervisor', 'administrator', 'auditor', 'operator', 'department-staff'],
  /** Prometheus metrics. */
  'metrics:read': ['monitoring', 'administrator', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** A verified member of staff (or a system account of the city's identity provider). */
export interface StaffIdentity {
  subject: string;
  name: string;
  roles: Role[];
  /** The departments a department-staff role acts for (codes, e.g. DOT). */
  departments: string[];
}

/** Whether the identity holds the permission: anywhere (city-wide roles) or for `department`. */
export function mayDo(identity: StaffIdentity, permission: Permission, department?: string): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return identity.roles.some((role) => allowed.includes(role) && (role !== 'department-staff' || department === undefined || identity.departments.includes(department)));
}

/** Whether the identity holds the permission only through a department role (so each case must be checked). */
export const onlyForDepartments = (identity: StaffIdentity, permission: Permission): boolean =>
  !identity.roles.some((role) => role !== 'department-staff' && (PERMISSIONS[permission] as readonly Role[]).includes(role));

/** The actor the case history records for a verified identity: its most senior acting role. */
export function actorOf(identity: StaffIdentity): Actor {
  const kind = (['administrator', 'supervisor', 'operator', 'department-staff'] as const).find((role) => identity.roles.includes(role)) ?? 'operator';
  return { kind, id: identity.subject, name: identity.name };
}
