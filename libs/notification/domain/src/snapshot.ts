import type { CaseEventEnvelope, CaseFollowed, CaseReported, CaseRouted, DeadlineMoved } from '@caseline/case-contracts';
import type { CaseSnapshot, Follower } from './plan';

/**
 * What the planner needs of a case, folded from its history — with its personal data opened by the
 * caller (the log holds it sealed). Followers who reported duplicates are other cases' reporters:
 * the caller looks them up and passes them in.
 */
export function caseSnapshot(history: readonly CaseEventEnvelope[], duplicateReporters: Follower[] = []): CaseSnapshot | undefined {
  const reported = history.find((e) => e.type === 'CaseReported') as CaseEventEnvelope<'CaseReported', CaseReported['data']> | undefined;
  if (!reported) return undefined;
  const snapshot: CaseSnapshot = {
    reference: reported.data.reference,
    serviceName: reported.data.serviceName,
    channel: reported.data.channel,
    reporter: reported.data.reporter,
    followers: [...duplicateReporters],
    partners: reported.metadata.actor.kind === 'partner' ? [reported.metadata.actor.id] : [],
  };
  for (const event of history) {
    if (event.type === 'CaseRouted') {
      const { departmentName, dueAt } = event.data as CaseRouted['data'];
      Object.assign(snapshot, { departmentName, dueAt });
    } else if (event.type === 'DeadlineMoved') {
      snapshot.dueAt = (event.data as DeadlineMoved['data']).dueAt;
    } else if (event.type === 'CaseFollowed') {
      const { follower } = event.data as CaseFollowed['data'];
      if ('partner' in follower) snapshot.partners.push(follower.partner);
      // A sealed address the caller could not open (erased) reaches nobody.
      else if ('email' in follower) snapshot.followers.push({ email: follower.email, language: follower.language, source: 'subscription' });
    }
  }
  return snapshot;
}

/** The cases whose reporters follow this one: its duplicates still counted (reported, not withdrawn). */
export function duplicateCaseIds(history: readonly CaseEventEnvelope[]): string[] {
  const ids = new Set<string>();
  for (const event of history) {
    const { duplicateCaseId } = event.data as { duplicateCaseId?: string };
    if (event.type === 'DuplicateReported' && duplicateCaseId) ids.add(duplicateCaseId);
    if (event.type === 'DuplicateWithdrawn' && duplicateCaseId) ids.delete(duplicateCaseId);
  }
  return [...ids];
}
