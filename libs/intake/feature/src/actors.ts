import type { Actor, Channel } from '@caseline/case-contracts';
import { isPublicChannel } from '@caseline/catalog-domain';
import { actorOf, mayDo, onlyForDepartments, Permission, problem, StaffIdentity } from '@caseline/service-kit';

/*
 * Who acts on the native API, as the case history records it: the verified member of staff, or a
 * resident (never named from anything the caller says about themselves).
 */

/** A resident reporting on a public channel: who they are is theirs to say in the (private) contact details. */
export const residentReporter = (): Actor => ({ kind: 'resident', id: 'reporter', name: 'The reporter' });

/** The permission a staff channel needs: a call or a visit taken for a resident, or one department asking another. */
const channelPermission = (channel: Channel): Permission => (channel === 'system' ? 'cases:report-internal' : 'cases:report-for-caller');

/** Who files a report: residents on public channels; staff on their own channels, if their role allows. */
export function reportingActor(channel: Channel, staff: StaffIdentity | undefined): Actor {
  if (isPublicChannel(channel)) return staff ? actorOf(staff) : residentReporter();
  const permission = channelPermission(channel);
  if (!staff) throw problem(401, 'Unauthorized', `Channel "${channel}" is for city staff: sign in with a bearer token`, [{ field: 'channel', rule: 'staffChannel', message: `channel ${channel} needs the "${permission}" permission` }]);
  if (!mayDo(staff, permission)) throw problem(403, 'Forbidden', `Channel "${channel}" needs the "${permission}" permission`, [{ field: 'channel', rule: 'staffChannel', message: `channel ${channel} needs the "${permission}" permission` }]);
  return actorOf(staff);
}

/** Whose Idempotency-Keys a request uses: each member of staff their own; the public one shared scope. */
export const idempotencyCaller = (staff: StaffIdentity | undefined): string => (staff ? `staff:${staff.subject}` : 'public');

/**
 * Department staff see and change only their department's cases: another department's case is
 * answered as not found, so its existence is not disclosed either.
 */
export function checkDepartmentScope(staff: StaffIdentity | undefined, permission: Permission, reference: string, department: string | undefined): void {
  if (!staff || !onlyForDepartments(staff, permission)) return;
  if (department === undefined || !mayDo(staff, permission, department)) throw problem(404, 'Not Found', `No case ${reference}`);
}
