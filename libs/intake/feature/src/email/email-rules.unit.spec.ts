import { formatReference } from '@caseline/intake-domain';
import { automaticMessage, findAddress, guessLanguage, MessageTraits, matchServiceType, newText, quotedReferences } from './email-rules';

const message = (overrides: Partial<MessageTraits> & { headers?: Record<string, string> } = {}): MessageTraits => {
  const { headers = {}, ...rest } = overrides;
  return { envelopeSender: 'ana@example.org', fromAddress: 'ana@example.org', ownAddress: 'requests@city.example', subject: 'Streetlight out', header: (name) => headers[name], ...rest };
};

describe('automaticMessage: what is not a resident writing', () => {
  it('takes an ordinary message', () => {
    expect(automaticMessage(message())).toBeUndefined();
    expect(automaticMessage(message({ headers: { 'auto-submitted': 'no' } }))).toBeUndefined();
    expect(automaticMessage(message({ subject: 'Re: my request about the office building' }))).toBeUndefined();
  });

  it.each([
    ['a null sender (bounce)', message({ envelopeSender: '' })],
    ['MAILER-DAEMON', message({ envelopeSender: 'MAILER-DAEMON@mx.example.org' })],
    ['postmaster in From', message({ fromAddress: 'postmaster@example.org' })],
    ['a delivery report', message({ headers: { 'content-type': 'multipart/report' } })],
    ['Auto-Submitted: auto-replied (also our own replies)', message({ headers: { 'auto-submitted': 'auto-replied' } })],
    ['Auto-Submitted: auto-generated', message({ headers: { 'auto-submitted': 'auto-generated' } })],
    ['Precedence: bulk', message({ headers: { precedence: 'bulk' } })],
    ['Precedence: list', message({ headers: { precedence: 'list' } })],
    ['X-Autoreply', message({ headers: { 'x-autoreply': 'yes' } })],
    ['X-Autorespond', message({ headers: { 'x-autorespond': '' } })],
    ['"Out of office" subject', message({ subject: 'Out of Office: back on Monday' })],
    ['"Automatic reply" subject', message({ subject: 'Automatic reply: Streetlight' })],
    ['"Undeliverable" subject', message({ subject: 'Undeliverable: We received your request 100-000-123' })],
    ['a Spanish auto-reply', message({ subject: 'Respuesta automática: fuera de la oficina' })],
    ['our own address', message({ fromAddress: 'Requests@City.example' })],
  ])('drops %s', (_name, traits) => {
    expect(automaticMessage(traits)).toEqual(expect.any(String));
  });
});

describe('quotedReferences', () => {
  const valid = formatReference(10_000_123);
  const digits = valid.replace(/-/g, '');

  it('finds references with a valid check digit, however they are written, subject first', () => {
    const other = formatReference(10_000_456);
    expect(quotedReferences(`Re: We received your request ${valid}`, `about ${other.replace(/-/g, ' ')} and ${digits}`)).toEqual([valid, other]);
  });

  it('ignores numbers whose check digit is wrong, and longer numbers', () => {
    const wrong = `${digits.slice(0, 8)}${(Number(digits[8]) + 1) % 10}`;
    expect(quotedReferences(`call ${wrong} or 1${digits}`)).toEqual([]);
  });
});

describe('newText: what the resident newly wrote', () => {
  it('drops the quoted message and the signature', () => {
    const text = [
      'The light is still out.',
      'It has been a week.',
      '',
      '--',
      'Ana Díaz',
      '',
      'On Mon, Nov 23, 2026 at 10:00 AM Demo City 311 <requests@demo-city.caseline.local>',
      'wrote:',
      '> We received your request 100-001-234',
    ].join('\n');
    expect(newText(text)).toBe('The light is still out.\nIt has been a week.');
  });

  it('stops at Gmail, Spanish and Outlook reply headers, and skips "> " lines', () => {
    expect(newText('Sigue sin luz.\n\nEl lun, 23 nov 2026 a las 10:00, Demo City 311 escribió:\n> Recibimos')).toBe('Sigue sin luz.');
    expect(newText('More detail.\r\n\r\nFrom: Demo City 311 <requests@x>\r\nSent: Monday\r\nSubject: x')).toBe('More detail.');
    expect(newText('Top.\n________________________________\nold')).toBe('Top.');
    expect(newText('> quoted first\nmine')).toBe('mine');
    expect(newText('Photo attached.\n\nSent from my iPhone')).toBe('Photo attached.');
  });

  it('drops control characters the case log cannot hold', () => {
    expect(newText('dark\u0000 lamp\u0007\tnow')).toBe('dark lamp\tnow');
  });

  it('keeps an ordinary message whole', () => {
    expect(newText('A pothole on Main St.\nFrom what I saw, it is deep.')).toBe('A pothole on Main St.\nFrom what I saw, it is deep.');
  });
});

describe('guessLanguage', () => {
  it.each([
    ['Hola, la luz de la calle está apagada desde hace una semana. Gracias', 'es'],
    ['Hay basura en la esquina', 'es'],
    ['¿Cuándo recogen los muebles?', 'es'],
    ['The streetlight on my corner is out', 'en'],
    ['Pothole', 'en'],
    ['', 'en'],
  ])('%s → %s', (text, language) => {
    expect(guessLanguage(text)).toBe(language);
  });
});

describe('findAddress', () => {
  it.each([
    ['Address: 350 5th Ave, New York', '350 5th Ave, New York'],
    ['Dirección: Calle 5 y Avenida B', 'Calle 5 y Avenida B'],
    ['The lamp in front of 1600 Broadway has been dark for days', '1600 Broadway'],
    ['There is a pothole outside 42 West 23rd Street.', '42 West 23rd Street'],
    ['Big hole near 12 main st, please fix', '12 main st'],
  ])('%s → %s', (text, address) => {
    expect(findAddress(text)).toBe(address);
  });

  it.each(['I called 3 times on Main Street', 'It has been 2 weeks', 'No place at all'])('finds none in "%s"', (text) => {
    expect(findAddress(text)).toBeUndefined();
  });
});

describe('matchServiceType', () => {
  const services = [
    { code: 'STREETLIGHT', name: 'Streetlight out', keywords: ['light', 'lamp', 'dark', 'pole'] },
    { code: 'TRAFFIC-SIGNAL', name: 'Traffic signal not working', keywords: ['signal', 'traffic light', 'walk signal'] },
    { code: 'POTHOLE', name: 'Pothole', keywords: ['hole', 'road', 'pavement'] },
    { code: 'GRAFFITI', name: 'Graffiti', keywords: ['graffiti', 'tagging', 'paint'] },
  ];

  it('chooses the type the text clearly names, plurals included', () => {
    expect(matchServiceType(services, 'The lamp on my corner is dark')).toBe('STREETLIGHT');
    expect(matchServiceType(services, 'Two potholes on 5th Ave')).toBe('POTHOLE');
    expect(matchServiceType(services, 'Graffiti on the school wall')).toBe('GRAFFITI');
    expect(matchServiceType(services, 'Someone sprayed paint on a light pole')).toBe('STREETLIGHT');
  });

  it('lets a two-word keyword outweigh a one-word one', () => {
    expect(matchServiceType(services, 'The traffic light at 5th and Main is stuck')).toBe('TRAFFIC-SIGNAL');
  });

  it('leaves to triage a text that names no type, or two equally', () => {
    expect(matchServiceType(services, 'When is the library open?')).toBeUndefined();
    expect(matchServiceType(services, 'A hole next to a lamp')).toBeUndefined();
  });

  it('matches whole words only', () => {
    expect(matchServiceType(services, 'The whole block is loud')).toBeUndefined();
  });
});
