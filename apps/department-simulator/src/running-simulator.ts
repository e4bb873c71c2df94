import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createHttpService } from '@caseline/service-kit';
import { AppModule } from './app.module';

/** The simulator on a free port for a describe block, reset before each test; `url` is its base address. */
export function runningSimulator(): { url: string } {
  const simulator = { url: '' };
  let app: INestApplication;
  beforeAll(async () => {
    app = await createHttpService(AppModule, { name: 'department-simulator' });
    await app.listen(0, '127.0.0.1');
    simulator.url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    expect((await fetch(`${simulator.url}/reset`, { method: 'POST' })).status).toBe(204);
  });
  return simulator;
}
