import type { Actor, Channel } from '@caseline/case-contracts';
import { isPublicChannel } from '@caseline/catalog-domain';
import { staffActor } from '@caseline/service-kit';

export { staffActor };

/*
 * Who is acting on the native API, as the case history records it. Until issue 7 brings
 * authentication nobody is verified, so nobody is named: in particular never from a request header,
 * which any caller can set. This file is the one place that decides; issue 7 replaces it with the
 * verified identity of the request.
 */

/** The resident who reported the case (more information, cancel, reopen). */
export const residentActor = (): Actor => ({ kind: 'resident', id: 'unauthenticated', name: 'Resident (unauthenticated until issue 7)' });

/** Who files a report: residents on public channels, an operator for them on the phone or in person. */
export const reportingActor = (channel: Channel): Actor => (isPublicChannel(channel) ? residentActor() : staffActor());

/** Whose Idempotency-Keys a request uses: one shared scope until callers have identities. */
export const idempotencyCaller = (): string => 'unauthenticated';
