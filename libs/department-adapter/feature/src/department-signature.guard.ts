import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadCityConfig } from '@caseline/city-config';
import { departmentSecret, problem, SIGNATURE_HEADER, SignatureRefused, signatureTolerance, verifySignature } from '@caseline/service-kit';

/**
 * Only a department's own system may tell us about its work orders: the request must carry its
 * signature over the exact body, recent, and never seen before (replays are refused for as long as
 * the timestamp would pass). Runs before the body is validated, so nothing unsigned reaches a handler.
 */
@Injectable()
export class DepartmentSignatureGuard implements CanActivate {
  private readonly secrets = new Map(
    loadCityConfig()
      .departments.filter((d) => d.system)
      .map((d) => [d.code, departmentSecret(d.code, d.system!.secretEnv as string | undefined)]),
  );
  private accepted = 0;

  constructor(private readonly dataSource: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ params: { department?: string }; headers: Record<string, string | undefined>; rawBody?: Buffer }>();
    const department = request.params.department ?? '';
    const secret = this.secrets.get(department);
    if (!secret) throw problem(404, 'Not Found', `Department ${department} has no connected system`);
    let signature: string;
    try {
      ({ signature } = verifySignature(secret, request.headers[SIGNATURE_HEADER], request.rawBody));
    } catch (error) {
      if (error instanceof SignatureRefused) throw problem(error.status, error.status === 401 ? 'Unauthorized' : 'Bad Request', error.message, [{ field: SIGNATURE_HEADER, rule: 'signature', message: error.message }]);
      throw error;
    }
    const remembered = await this.dataSource.query<unknown[]>(
      'INSERT INTO department_adapter.seen_signatures (department, signature) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
      [department, signature],
    );
    if (remembered.length === 0) throw problem(401, 'Unauthorized', 'This signed request was already received: a replay is refused', [{ field: SIGNATURE_HEADER, rule: 'replay', message: 'already received' }]);
    // Signatures older than the window can never pass again; forget them now and then.
    if (++this.accepted % 100 === 0) {
      await this.dataSource.query(`DELETE FROM department_adapter.seen_signatures WHERE seen_at < now() - make_interval(secs => $1)`, [2 * signatureTolerance()]);
    }
    return true;
  }
}
