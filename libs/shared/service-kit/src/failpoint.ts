/**
 * Crash tests: when CASELINE_FAILPOINT names this point, the process dies here at once (SIGKILL,
 * no cleanup), exactly like a machine losing power between two steps. Never set in production.
 */
export function failpoint(name: string): void {
  if (process.env.CASELINE_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
