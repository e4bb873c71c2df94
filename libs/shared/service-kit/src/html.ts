import type { Response } from 'express';

/** Text for HTML: every value that reaches a page of ours goes through this. */
export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Headers of our small server-rendered pages: no script, no framing, no referrer, forms only to us. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
};

/** A plain page (links in emails land on these): `body` is HTML the caller escaped. */
export const htmlPage = (title: string, body: string, language = 'en'): string => `<!doctype html>
<html lang="${escapeHtml(language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · 311</title><link rel="icon" href="data:,"></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`;

export function sendPage(response: Response, status: number, html: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
  response.status(status).type('text/html; charset=utf-8').send(html);
}
