import { signBody, SignatureRefused, verifySignature } from './signed-requests';

describe('signed requests', () => {
  const body = JSON.stringify({ workOrderId: 'WO-1', status: 'completed' });
  const now = Date.parse('2026-11-27T12:00:00Z');
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof SignatureRefused ? [error.status, error.message] : error;
    }
    return undefined;
  };

  it('accepts its own signature of the same body', () => {
    expect(verifySignature('s3cret', signBody('s3cret', body, now), body, now).timestamp).toBe(now / 1000);
  });

  it('refuses unsigned, malformed, stale, re-signed with another secret, and changed bodies — saying which', () => {
    expect(refusal(() => verifySignature('s3cret', undefined, body, now))).toEqual([401, expect.stringContaining('not signed')]);
    expect(refusal(() => verifySignature('s3cret', 'sha256=abc', body, now))).toEqual([400, expect.stringContaining('must be "t=')]);
    expect(refusal(() => verifySignature('s3cret', signBody('s3cret', body, now - 301_000), body, now))).toEqual([401, expect.stringContaining('stale')]);
    expect(refusal(() => verifySignature('s3cret', signBody('other', body, now), body, now))).toEqual([401, expect.stringContaining('does not match')]);
    expect(refusal(() => verifySignature('s3cret', signBody('s3cret', body, now), body.replace('completed', 'rejected'), now))).toEqual([401, expect.stringContaining('does not match')]);
  });
});
