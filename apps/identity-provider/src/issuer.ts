import { Injectable } from '@nestjs/common';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, oidcSettings, Role } from '@caseline/service-kit';

interface StaffMember {
  username: string;
  name: string;
  roles: Role[];
  departments?: string[];
}

/** What a token request may ask for besides who: a test can ask for another audience or an already expired token. */
export interface TokenRequest {
  username: string;
  password: string;
  audience?: string;
  lifetimeSeconds?: number;
}

const CONFIG_DIR = join(__dirname, '../../../config', process.env.CITY ?? 'demo-city');

/**
 * Issues OpenID Connect access tokens for the demo city's staff (config/<city>/staff.json), signed
 * with an RS256 key made at start and published at /jwks.json, as a real provider would.
 */
@Injectable()
export class Issuer {
  readonly issuer = oidcSettings().issuer;
  private readonly staff: StaffMember[] = (JSON.parse(readFileSync(join(CONFIG_DIR, 'staff.json'), 'utf8')) as { staff: StaffMember[] }).staff;
  private readonly password = env('IDENTITY_PROVIDER_PASSWORD', 'caseline-demo');
  private readonly keyId = randomUUID();
  private readonly keys = generateKeyPair('RS256', { extractable: true });

  async publicKeys(): Promise<{ keys: JWK[] }> {
    const { publicKey } = await this.keys;
    return { keys: [{ ...(await exportJWK(publicKey)), kid: this.keyId, alg: 'RS256', use: 'sig' }] };
  }

  /** A signed token for a member of staff, or undefined for an unknown name or a wrong password. */
  async token(request: TokenRequest): Promise<{ token: string; expiresIn: number } | undefined> {
    const member = this.staff.find((s) => s.username === request.username);
    if (!member || request.password !== this.password) return undefined;
    const lifetime = request.lifetimeSeconds ?? 3600;
    const now = Math.floor(Date.now() / 1000);
    const { privateKey } = (await this.keys) as { privateKey: KeyLike };
    const token = await new SignJWT({ name: member.name, preferred_username: member.username, roles: member.roles, departments: member.departments ?? [] })
      .setProtectedHeader({ alg: 'RS256', kid: this.keyId, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(request.audience ?? oidcSettings().audience)
      .setSubject(`${member.username}@staff`)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, expiresIn: lifetime };
  }

  /** Every username of the directory (the demo prints them). */
  usernames(): string[] {
    return this.staff.map((s) => s.username);
  }
}
