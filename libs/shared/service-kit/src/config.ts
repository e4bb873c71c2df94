/** Reads configuration from the environment; secrets never get defaults in production. */
export const isProduction = (): boolean => process.env.NODE_ENV === 'production';

export function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback === undefined) throw new Error(`Missing required environment variable ${name}`);
  return fallback;
}

/** A secret: the development fallback is refused when NODE_ENV=production. */
export function secret(name: string, developmentFallback: string): string {
  const value = process.env[name];
  if (value) return value;
  if (isProduction()) throw new Error(`Missing required secret ${name} (no default in production)`);
  return developmentFallback;
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`Environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

export const databaseUrl = (): string => env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/caseline');

export const kafkaBrokers = (): string[] => env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
