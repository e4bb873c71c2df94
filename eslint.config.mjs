import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Frameworks and drivers that pure domain code must never see.
const infrastructure = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'nodemailer', 'express', 'class-validator', 'class-transformer'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:util', 'type:feature'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:util', 'type:data-access', 'type:contracts', 'type:domain'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access', 'type:util', 'type:feature'] },
            { sourceTag: 'scope:case', onlyDependOnLibsWithTags: ['scope:case'] },
            { sourceTag: 'scope:city', onlyDependOnLibsWithTags: ['scope:city', 'scope:case'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:case', 'scope:city'] },
            { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:intake', 'scope:case', 'scope:city', 'scope:shared'] },
            { sourceTag: 'scope:routing', onlyDependOnLibsWithTags: ['scope:routing', 'scope:case', 'scope:city', 'scope:shared'] },
            { sourceTag: 'scope:department-adapter', onlyDependOnLibsWithTags: ['scope:department-adapter', 'scope:case', 'scope:city', 'scope:shared'] },
            { sourceTag: 'scope:notification', onlyDependOnLibsWithTags: ['scope:notification', 'scope:case', 'scope:city', 'scope:shared'] },
            { sourceTag: 'scope:dev', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'libs/shared/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
