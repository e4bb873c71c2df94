const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]$|53300$)/; // connection exceptions, shutting down or starting, too many connections
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
const UNAVAILABLE_DRIVER = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/;

/** PostgreSQL cannot be reached just now (down, restarting, out of connections): worth retrying, not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const failure = error as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | undefined;
  const code = failure?.driverError?.code ?? failure?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  return typeof failure?.message === 'string' && UNAVAILABLE_DRIVER.test(failure.message);
}
