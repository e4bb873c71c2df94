import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify } from 'jose';
import { env, isProduction } from '../config';
import { isRole, StaffIdentity } from './roles';

/** Where the city's identity provider is, and how its tokens name roles and departments. */
export interface OidcSettings {
  issuer: string;
  audience: string;
  rolesClaim: string;
  departmentsClaim: string;
}

/** OIDC_ISSUER is required in production; in development it is our local issuer (apps/identity-provider). */
export const oidcSettings = (): OidcSettings => ({
  issuer: isProduction() ? env('OIDC_ISSUER') : env('OIDC_ISSUER', `http://127.0.0.1:${process.env.IDENTITY_PROVIDER_PORT ?? 3020}`),
  audience: env('OIDC_AUDIENCE', 'caseline'),
  // e.g. "realm_access.roles" for Keycloak: a dotted path into the token's claims.
  rolesClaim: env('OIDC_ROLES_CLAIM', 'roles'),
  departmentsClaim: env('OIDC_DEPARTMENTS_CLAIM', 'departments'),
});

/** Why a bearer token was not accepted, in words safe to give the caller. */
export class TokenRejected extends Error {}

/** The identity provider could not be asked (its keys are unknown): not the caller's fault. */
export class IdentityProviderUnavailable extends Error {}

const claimAt = (payload: JWTPayload, path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : []);

/**
 * Verifies staff bearer tokens: JWTs signed by a key the provider publishes (found through its
 * OpenID discovery document, cached, refetched for an unknown key id), with our issuer and
 * audience, not expired. Only asymmetric algorithms: a token signed with a shared secret proves
 * nothing about who made it.
 */
@Injectable()
export class StaffTokens {
  private readonly logger = new Logger('StaffTokens');
  private readonly settings = oidcSettings();
  private keys?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  async verify(token: string): Promise<StaffIdentity> {
    const keys = await this.publishedKeys();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      });
      const roles = strings(claimAt(payload, this.settings.rolesClaim)).filter(isRole);
      return {
        subject: payload.sub!,
        name: typeof payload.name === 'string' ? payload.name : typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub!,
        roles,
        departments: strings(claimAt(payload, this.settings.departmentsClaim)),
      };
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || (error instanceof Error && /fetch failed|ECONNREFUSED/.test(error.message))) throw new IdentityProviderUnavailable('the identity provider did not answer');
      if (error instanceof errors.JWTExpired) throw new TokenRejected('the token has expired');
      if (error instanceof errors.JWTClaimValidationFailed) throw new TokenRejected(`the token's "${error.claim}" claim is not accepted`);
      if (error instanceof errors.JOSEError) throw new TokenRejected('the token is not signed by the identity provider');
      throw error;
    }
  }

  /** The provider's key set, found once from its discovery document (a failure is retried next time). */
  private publishedKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= (async () => {
      const discovery = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      let document: { issuer?: string; jwks_uri?: string };
      try {
        const response = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        document = (await response.json()) as typeof document;
      } catch (error) {
        this.logger.warn(`Identity provider discovery failed at ${discovery}: ${(error as Error).message}`);
        throw new IdentityProviderUnavailable('the identity provider did not answer');
      }
      if (document.issuer !== this.settings.issuer || !document.jwks_uri) throw new IdentityProviderUnavailable('the identity provider\'s discovery document does not match OIDC_ISSUER');
      return createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    })().catch((error) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }
}
