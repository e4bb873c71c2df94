import { EmailLink, emailLinkPath, EmailLinkRefused, verifyEmailLink } from './email-links';

const secret = 'a-department-secret';
const link: EmailLink = { department: 'HPD', workOrderId: 'E-0123456789AB', action: 'complete', expires: 2_000_000_000 };
const signatureOf = (path: string) => new URL(path, 'http://x').searchParams.get('signature') ?? undefined;

describe('signed email links', () => {
  const path = emailLinkPath(secret, link);

  it('names the department, work order and action in the path, and signs them with the expiry', () => {
    expect(path).toMatch(/^\/v1\/department-email\/HPD\/work-orders\/E-0123456789AB\/complete\?expires=2000000000&signature=[0-9a-f]{64}$/);
    expect(() => verifyEmailLink(secret, link, signatureOf(path), 1_900_000_000_000)).not.toThrow();
  });

  it.each([
    ['another action', { ...link, action: 'reject' as const }],
    ['another work order', { ...link, workOrderId: 'E-000000000000' }],
    ['another department', { ...link, department: 'DOT' }],
    ['a later expiry', { ...link, expires: 2_100_000_000 }],
  ])('refuses the signature for %s', (_, changed) => {
    expect(() => verifyEmailLink(secret, changed, signatureOf(path), 1_900_000_000_000)).toThrow(/changed or forged/);
  });

  it('refuses a link past its expiry, a missing signature, and another secret', () => {
    expect(() => verifyEmailLink(secret, link, signatureOf(path), 2_000_000_001_000)).toThrow(/expired on 2033-05-18/);
    expect(() => verifyEmailLink(secret, link, undefined)).toThrow(EmailLinkRefused);
    expect(() => verifyEmailLink('another-secret', link, signatureOf(path), 1_900_000_000_000)).toThrow(/forged/);
  });
});
