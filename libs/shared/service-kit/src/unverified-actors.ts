import type { Actor } from '@caseline/case-contracts';

/*
 * Who acts on staff and admin endpoints, as the case history records it. Until issue 7 brings
 * authentication nobody is verified, so nobody is named: in particular never from a request header,
 * which any caller can set. These are the one place that decides; issue 7 replaces them with the
 * verified identity of the request.
 */

/** Operators and other city staff (notes, links, triage decisions, calls answered at first contact). */
export const staffActor = (): Actor => ({ kind: 'operator', id: 'unauthenticated', name: 'Staff (unauthenticated until issue 7)' });

/** Administrators (the catalog, the routing rules, the areas). */
export const adminActor = (): Actor => ({ kind: 'operator', id: 'unauthenticated-admin', name: 'Administrator (unauthenticated until issue 7)' });

/** A department's staff working their queue. */
export const departmentStaffActor = (department: string): Actor => ({ kind: 'department-staff', id: `unauthenticated@${department}`, name: `${department} staff (unauthenticated until issue 7)` });
