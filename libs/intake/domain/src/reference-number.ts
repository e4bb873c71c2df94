// Damm's check digit catches every single-digit typo and every swap of adjacent digits,
// the two mistakes people make reading a number over the phone.
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

const damm = (digits: string): number => [...digits].reduce((interim, digit) => DAMM[interim][Number(digit)], 0);

/** A case's reference: a serial number plus a check digit, grouped like a phone number (e.g. 100-000-123). */
export function formatReference(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial > 99_999_999) throw new Error(`Reference serial out of range: ${serial}`);
  const body = String(serial).padStart(8, '0');
  const digits = body + String(damm(body));
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** Accepts what a person types or says (spaces, dashes) and returns the canonical form, or undefined. */
export function parseReference(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{9}$/.test(digits) || damm(digits) !== 0) return undefined;
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}
