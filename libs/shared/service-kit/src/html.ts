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

/**
 * The city's colours for our HTML pages (tracking page, dashboard), text on background; each page's
 * tests hold every pair it uses to WCAG AA (4.5:1 for text, 3:1 for the focus ring).
 */
export const CITY_PALETTE = {
  text: { fg: '#1b1b1b', bg: '#ffffff' },
  muted: { fg: '#4d4d4d', bg: '#ffffff' },
  link: { fg: '#0a4b9c', bg: '#ffffff' },
  panelText: { fg: '#1b1b1b', bg: '#f4f6f9' },
  panelMuted: { fg: '#4d4d4d', bg: '#f4f6f9' },
  panelLink: { fg: '#0a4b9c', bg: '#f4f6f9' },
  header: { fg: '#ffffff', bg: '#0a3161' },
  button: { fg: '#ffffff', bg: '#0a3161' },
  focus: { fg: '#1b1b1b', bg: '#ffdd00' },
} as const satisfies Record<string, { fg: string; bg: string }>;
