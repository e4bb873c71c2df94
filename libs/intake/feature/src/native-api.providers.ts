import { CaseIndex } from './case-index';
import { IdempotencyKeys } from './idempotency-keys';

/** What the native API (cases.controller.ts) adds to the intake module: Idempotency-Keys and the staff search index. */
export const nativeApiProviders = [IdempotencyKeys, CaseIndex];
