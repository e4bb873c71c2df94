import { parseMail } from './parse-mail';

const message = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');
const FROM = 'From: Ana <ana@example.org>';

describe('parseMail', () => {
  it('parses a message', async () => {
    const mail = await parseMail(message(FROM, 'Subject: Pothole', '', 'A deep one.'));
    expect(mail).toMatchObject({ subject: 'Pothole', text: 'A deep one.' });
  });

  // Each of these leaves mailparser's own promise pending for ever (found by the SMTP fuzz test).
  it.each([
    ['an empty inline forwarded message, headers only', message(FROM, 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0', 'Content-Type: message/rfc822; charset=utf-8', 'Content-Transfer-Encoding: 7bit', 'Content-Disposition: inline', '')],
    ['an empty inline forwarded part of a multipart message', message(FROM, 'Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', '--x--', '')],
  ])('settles on %s, reading it with the forwarded message as an attachment', async (_, raw) => {
    const mail = await parseMail(raw, 500);
    expect(mail?.from?.value[0].address).toBe('ana@example.org');
  });
});
