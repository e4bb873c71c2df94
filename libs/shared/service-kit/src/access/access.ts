import { CanActivate, createParamDecorator, ExecutionContext, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Actor } from '@caseline/case-contracts';
import { problem } from '../problem';
import { isTrackingToken } from '../tracking';
import { actorOf, mayDo, Permission, PERMISSIONS, StaffIdentity } from './roles';
import { IdentityProviderUnavailable, StaffTokens, TokenRejected } from './staff-tokens';

/**
 * Who may call an endpoint. Every handler of a Caseline service declares one; a handler without
 * one is refused (fail closed), and the authorization matrix test lists them all.
 * - public: anyone (the public is meant to reach it: submission, Open311 reads, health);
 * - signed: anyone who holds what the handler checks itself (a department system's signature, a
 *   partner's API key, a signed link we emailed);
 * - staff: a verified bearer token holding the permission (for the department in the route's
 *   `department` parameter, when given);
 * - reporterOrStaff: the case's tracking token (the resident) or staff holding the permission.
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'signed'; by: string }
  | { kind: 'staff'; permission: Permission; departmentParam?: string }
  | { kind: 'reporterOrStaff'; permission: Permission };

const ACCESS = 'caseline:access';

export const Access = {
  public: () => SetMetadata(ACCESS, { kind: 'public' } satisfies AccessRule),
  signed: (by: string) => SetMetadata(ACCESS, { kind: 'signed', by } satisfies AccessRule),
  staff: (permission: Permission, options: { departmentParam?: string } = {}) => SetMetadata(ACCESS, { kind: 'staff', permission, ...options } satisfies AccessRule),
  reporterOrStaff: (permission: Permission) => SetMetadata(ACCESS, { kind: 'reporterOrStaff', permission } satisfies AccessRule),
};

/** The header a resident's app sends with the case's tracking token to act on it. */
export const TRACKING_TOKEN_HEADER = 'tracking-token';

type AuthenticatedRequest = Request & { staff?: StaffIdentity };

const unauthorized = (response: Response, detail: string, error?: 'invalid_token') => {
  response.setHeader('WWW-Authenticate', `Bearer realm="caseline"${error ? `, error="${error}", error_description="${detail}"` : ''}`);
  return problem(401, 'Unauthorized', detail);
};

const forbidden = (permission: Permission, department?: string) =>
  problem(403, 'Forbidden', `This needs the "${permission}" permission${department ? ` for ${department}` : ''} (roles: ${PERMISSIONS[permission].join(', ')})`);

/**
 * Verifies the bearer token, if any (on every route: a bad token is refused even where none is
 * needed), and applies the route's access rule. Kafka handlers of the same app are not HTTP: they
 * pass.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: StaffTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access rule: refused`);
      throw problem(403, 'Forbidden', 'This endpoint is not open to anyone');
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (request.headers.authorization !== undefined && !bearer) throw unauthorized(response, 'Authorization must be "Bearer <token>"', 'invalid_token');
    if (bearer) request.staff = await this.identify(bearer, response);

    switch (rule.kind) {
      case 'public':
      case 'signed':
        return true;
      case 'staff': {
        if (!request.staff) throw unauthorized(response, 'Sign in: send a bearer token from the city\'s identity provider');
        const department = rule.departmentParam ? String(request.params[rule.departmentParam]) : undefined;
        if (!mayDo(request.staff, rule.permission, department)) throw forbidden(rule.permission, department);
        return true;
      }
      case 'reporterOrStaff': {
        if (request.staff) {
          if (!mayDo(request.staff, rule.permission)) throw forbidden(rule.permission);
          return true;
        }
        const token = request.headers[TRACKING_TOKEN_HEADER];
        if (typeof token === 'string' && isTrackingToken(String(request.params.reference), token)) return true;
        throw unauthorized(response, `Send the case's tracking token in ${TRACKING_TOKEN_HEADER}, or sign in as staff`);
      }
    }
  }

  private async identify(bearer: string, response: Response): Promise<StaffIdentity> {
    try {
      return await this.tokens.verify(bearer);
    } catch (error) {
      if (error instanceof TokenRejected) throw unauthorized(response, error.message, 'invalid_token');
      if (error instanceof IdentityProviderUnavailable) throw problem(503, 'Service Unavailable', 'Sign-in cannot be checked right now; try again shortly');
      throw error;
    }
  }
}

/** The verified member of staff making the request (undefined on public routes called without a token). */
export const Staff = createParamDecorator((_data: unknown, context: ExecutionContext): StaffIdentity | undefined => context.switchToHttp().getRequest<AuthenticatedRequest>().staff);

/** Who the case history records for this request: the verified member of staff, or the resident holding the case's link. */
export const Acting = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const staff = context.switchToHttp().getRequest<AuthenticatedRequest>().staff;
  return staff ? actorOf(staff) : linkHolderActor();
});

/** A resident proven only by holding the case's tracking token or a signed link we emailed about it. */
export const linkHolderActor = (): Actor => ({ kind: 'resident', id: 'case-link', name: "Resident with the case's link" });
