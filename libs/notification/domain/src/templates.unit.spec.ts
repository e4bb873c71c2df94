import { Language, MessageFacts, MessagePurpose, missingTranslations, renderMessage, Words } from './templates';
import { smsSize } from './sms';

const words = (): Words => ({ date: (iso) => `<${iso.slice(0, 10)}>` });
const facts: MessageFacts = {
  reference: '100-000-123',
  serviceName: 'Streetlight out',
  trackingUrl: 'https://311.example.gov/track/100-000-123?token=abc',
  unsubscribeUrl: 'https://311.example.gov/u/xyz',
  departmentName: 'Department of Transportation',
  dueAt: '2026-12-01T22:00:00Z',
  scheduledFor: '2026-11-30',
  note: 'Lamp replaced',
  question: 'Which pole number?',
  originalReference: '100-000-100',
  reopenUrl: 'https://311.example.gov/track/100-000-123/reopen?x',
  surveyUrl: 'https://311.example.gov/track/100-000-123/survey?x',
  district: '3',
};
const RESIDENT_PURPOSES: MessagePurpose[] = ['received', 'assigned', 'scheduled', 'in-progress', 'information-requested', 'resolved', 'closed', 'linked-as-duplicate'];

describe('message templates', () => {
  it.each(RESIDENT_PURPOSES.flatMap((purpose) => (['en', 'es'] as Language[]).map((language) => [purpose, language] as const)))('says "%s" to residents in %s, by email and text, with the reference and the unsubscribe link', (purpose, language) => {
    const email = renderMessage(purpose, 'email', language, facts, words);
    expect(email).toMatchObject({ language });
    expect(email.missingTranslation).toBeUndefined();
    expect(email.subject).toContain('100-000-123');
    expect(email.text).toContain(facts.unsubscribeUrl);
    const sms = renderMessage(purpose, 'sms', language, facts, words);
    expect(sms.text).toContain('100-000-123');
    expect(sms.text).toContain(facts.unsubscribeUrl);
    expect(smsSize(sms.text).segments).toBeLessThanOrEqual(4);
  });

  it('never uses internal words with residents', () => {
    for (const purpose of RESIDENT_PURPOSES) {
      const text = renderMessage(purpose, 'email', 'en', facts, words).text;
      expect(text).not.toMatch(/work order|routed|triage|\bSR\b|\bDOT\b/i);
    }
  });

  it('tells the facts each step needs: the department and date, the schedule, the question, the note with the reopen and survey links', () => {
    expect(renderMessage('assigned', 'email', 'en', facts, words).text).toContain('Department of Transportation now has your request "Streetlight out" (100-000-123) and expects to deal with it by <2026-12-01>');
    expect(renderMessage('scheduled', 'email', 'es', facts, words).text).toContain('programado para el <2026-11-30>');
    expect(renderMessage('information-requested', 'email', 'en', facts, words).text).toContain('Which pole number?');
    const resolved = renderMessage('resolved', 'email', 'en', facts, words).text;
    expect(resolved).toContain('The department says: Lamp replaced');
    expect(resolved).toContain(`Not fixed? Tell us and we will reopen it: ${facts.reopenUrl}`);
    expect(resolved).toContain(facts.surveyUrl);
  });

  it('names the request as one the reader follows, for followers', () => {
    const following = { ...facts, following: true };
    expect(renderMessage('scheduled', 'email', 'en', following, words).subject).toBe('Request 100-000-123, which you follow, is scheduled');
    expect(renderMessage('resolved', 'email', 'es', following, words).text).toMatch(/^La solicitud "Streetlight out" \(100-000-123\), que usted sigue, fue resuelta\./);
    expect(renderMessage('in-progress', 'email', 'en', facts, words).subject).toBe('Work has started on your request 100-000-123');
  });

  it('lists a council district\'s new and overdue cases in its digest, counting what it does not list', () => {
    const digest = { date: '2026-11-27', newCases: [{ reference: '100-000-001', serviceName: 'Pothole', trackingUrl: 'https://t/1' }], overdue: [{ reference: '100-000-002', serviceName: 'Streetlight out', dueAt: '2026-11-20T22:00:00Z', trackingUrl: 'https://t/2' }], more: { newCases: 3, overdue: 0 } };
    const message = renderMessage('digest', 'email', 'en', { ...facts, district: '3', digest }, words);
    expect(message.subject).toBe('311 in council district 3: 4 new, 1 overdue (<2026-11-27>)');
    expect(message.text).toContain('  100-000-001  Pothole\n    https://t/1\n  … and 3 more');
    expect(message.text).toContain('  100-000-002  Streetlight out (due <2026-11-20>)');
  });

  it('falls back to English where a translation is missing, and says so', () => {
    const message = renderMessage('escalated', 'email', 'es', facts, words);
    expect(message).toMatchObject({ language: 'en', missingTranslation: 'es' });
    expect(message.subject).toBe('Overdue: 100-000-123 (Streetlight out) in council district 3');
    // Only staff messages (always sent in English) lack Spanish.
    expect(new Set(missingTranslations().map((m) => m.purpose))).toEqual(new Set(['deadline-approaching', 'escalated', 'digest']));
  });

  it('shortens a long note to fit a text message, keeping the reference and the links', () => {
    const long = { ...facts, note: 'The crew replaced the lamp and the photocell, and checked the wiring in the base of the pole. '.repeat(8) };
    const sms = renderMessage('resolved', 'sms', 'en', long, words, 2).text;
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
    expect(sms).toContain('100-000-123');
    expect(sms).toContain(facts.reopenUrl);
    expect(sms).toContain(facts.unsubscribeUrl);
    expect(sms).toContain('...');
  });
});
