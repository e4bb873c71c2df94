import { fitSms, shorten, smsSize } from './sms';

describe('text message size', () => {
  it('counts GSM-7 septets (extended characters twice) and UCS-2 code units, in segments', () => {
    expect(smsSize('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSize('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSize('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSize('señal, café y über')).toMatchObject({ encoding: 'GSM-7' });
    expect(smsSize('á'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSize('á'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });

  it('shortens at a word boundary with an ellipsis', () => {
    expect(shorten('the lamp and the photocell were replaced', 20)).toBe('the lamp and the...');
    expect(shorten('short', 20)).toBe('short');
  });

  it('fits a message by shortening its free text first, then by cutting its start, never its end', () => {
    const render = (free: Record<string, string>) => `Ref 100-000-123: ${free.note ?? ''} https://x.example/u/abc`;
    const fitted = fitSms(render, { note: 'word '.repeat(100) }, 1);
    expect(smsSize(fitted).segments).toBe(1);
    expect(fitted).toMatch(/^Ref 100-000-123: (word )+word\.\.\. https:\/\/x\.example\/u\/abc$/);
    const wordy = fitSms(() => `311: 100-000-123 ${'is with a department with a very long name '.repeat(4)}https://x.example/t/100 Stop: https://x.example/u/abc`, {}, 1);
    expect(smsSize(wordy).segments).toBe(1);
    expect(wordy).toMatch(/^311: 100-000-123 is with .+\.\.\. https:\/\/x\.example\/t\/100 Stop: https:\/\/x\.example\/u\/abc$/);
    const cut = fitSms(() => `${'x'.repeat(200)} https://x.example/u/abc`, {}, 1);
    expect(smsSize(cut).units).toBe(160);
    expect(cut.endsWith('https://x.example/u/abc')).toBe(true);
  });
});
