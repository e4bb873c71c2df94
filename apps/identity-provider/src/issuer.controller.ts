import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { problem } from '@caseline/service-kit';
import { Issuer } from './issuer';

/** The three things services and clients use of an OpenID provider: discovery, keys, and a token endpoint. */
@Controller()
export class IssuerController {
  constructor(private readonly issuer: Issuer) {}

  @Get('.well-known/openid-configuration')
  discovery() {
    const base = this.issuer.issuer.replace(/\/$/, '');
    return {
      issuer: this.issuer.issuer,
      jwks_uri: `${base}/jwks.json`,
      token_endpoint: `${base}/token`,
      grant_types_supported: ['password'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'name', 'preferred_username', 'roles', 'departments'],
    };
  }

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.issuer.publicKeys();
  }

  /**
   * Resource-owner password grant (form or JSON), for development and tests only: `username`,
   * `password`, and optionally `audience` and `lifetime_seconds` (negative: already expired).
   */
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Body() body: Record<string, unknown>) {
    if (body?.grant_type !== 'password') throw problem(400, 'Bad Request', 'grant_type must be "password"', [{ field: 'grant_type', rule: 'isIn', message: 'grant_type must be "password"' }]);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    const lifetime = text('lifetime_seconds') === undefined ? undefined : Number(text('lifetime_seconds'));
    if (lifetime !== undefined && (!Number.isInteger(lifetime) || lifetime > 86_400)) throw problem(400, 'Bad Request', 'lifetime_seconds must be an integer up to 86400', [{ field: 'lifetime_seconds', rule: 'range', message: 'an integer up to 86400' }]);
    const issued = await this.issuer.token({ username: text('username') ?? '', password: text('password') ?? '', audience: text('audience'), lifetimeSeconds: lifetime });
    if (!issued) throw problem(401, 'Unauthorized', 'Unknown username or wrong password');
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
  }
}
