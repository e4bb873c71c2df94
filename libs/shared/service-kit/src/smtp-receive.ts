import type { Readable } from 'node:stream';

/** An SMTP reply smtp-server sends for an error: the code (e.g. 550) and the text after it. */
export const smtpError = (responseCode: number, message: string): Error => Object.assign(new Error(message), { responseCode });

/**
 * Reads one message's DATA, keeping at most `maxBytes` in memory: smtp-server only flags an
 * oversized message, so the rest is counted and dropped. Undefined when the message is too large.
 */
export function readMessage(stream: Readable & { sizeExceeded?: boolean }, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(stream.sizeExceeded || bytes > maxBytes ? undefined : Buffer.concat(chunks)));
  });
}
