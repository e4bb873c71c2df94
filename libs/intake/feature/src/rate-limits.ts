import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { render } from '@caseline/intake-open311';
import { envInt, RateLimiter } from '@caseline/service-kit';

/**
 * Intake's rate limits (requests a minute, with a burst): per client address for what anyone can
 * call without a key (native submissions, tracking lookups, failed Open311 keys), and per API key
 * for portals, which submit for many residents from one address. 0 switches a limit off.
 */
@Injectable()
export class IntakeRateLimits {
  readonly byAddress = new RateLimiter(envInt('RATE_LIMIT_PER_ADDRESS_PER_MINUTE', 120), envInt('RATE_LIMIT_PER_ADDRESS_BURST', 30));
  readonly byApiKey = new RateLimiter(envInt('RATE_LIMIT_PER_API_KEY_PER_MINUTE', 1200), envInt('RATE_LIMIT_PER_API_KEY_BURST', 200));
}

/** 429 with Retry-After, in the caller's format: Open311's error list under /open311, problem+json elsewhere. */
export function tooManyRequests(request: Request, response: Response, retryAfterSeconds: number): void {
  const detail = `Too many requests; try again in ${retryAfterSeconds} s`;
  response.setHeader('Retry-After', String(retryAfterSeconds));
  if (request.path.startsWith('/open311/')) {
    const { contentType, body } = render(request.path.endsWith('.xml') ? 'xml' : 'json', 'errors', [{ code: 429, description: detail }]);
    response.status(429).type(contentType).send(body);
    return;
  }
  response.status(429).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail }));
}

/**
 * The key a client address is limited by: an IPv4 address, or an IPv6 address's /64 (one
 * subscriber's whole network; rotating addresses inside it must not buy a fresh burst).
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7); // IPv4 seen through an IPv6 socket
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/** Limits a route per client address (`request.ip`; set TRUST_PROXY behind a load balancer). */
@Injectable()
export class AddressRateLimit implements NestMiddleware {
  constructor(private readonly limits: IntakeRateLimits) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const decision = this.limits.byAddress.take(addressKey(request.ip));
    if (decision.allowed) return next();
    tooManyRequests(request, response, decision.retryAfterSeconds);
  }
}
