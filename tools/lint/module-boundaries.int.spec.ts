import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Architecture rules as tests: lint must refuse what the layout forbids. */
describe('module boundaries (lint)', () => {
  // The eslint CLI in a child process: its flat config is an ES module, which jest's VM cannot load.
  const lint = async (file: string, code: string): Promise<string[]> => {
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', join(ROOT, file), '--format', 'json'], { cwd: ROOT, input: code, encoding: 'utf8' });
    const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string; message: string }[] }[];
    return report.messages.map((m) => `${m.ruleId}: ${m.message}`);
  };

  it.each(['@nestjs/common', 'typeorm', 'pg', 'kafkajs'])('a domain library that imports %s fails lint', async (framework) => {
    const messages = await lint('libs/case/domain/src/forbidden.ts', `import * as framework from '${framework}';\nexport const leak = framework;\n`);
    expect(messages.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('a context that imports another context fails lint', async () => {
    const messages = await lint('libs/routing/feature/src/forbidden.ts', `import { IntakeService } from '@caseline/intake-feature';\nexport const leak = IntakeService;\n`);
    expect(messages.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('the domain itself lints clean', async () => {
    expect(await lint('libs/case/domain/src/clean.ts', `import type { CaseEvent } from '@caseline/case-contracts';\nexport const types = (events: CaseEvent[]) => events.map((e) => e.type);\n`)).toEqual([]);
  });
});
