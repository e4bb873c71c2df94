import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Frameworks and drivers that pure domain code must never see.
const infrastructure = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'nodemailer', 'express', 'class-validator', 'class-transformer'];

// type:* says what a project may be built on; scope:* which bounded contexts it may see.
// Specs may also use the shared test helpers (type:test).
const typeRules = {
  'type:domain': ['type:domain', 'type:contracts'],
  'type:contracts': ['type:contracts'],
  'type:data-access': ['type:domain', 'type:contracts', 'type:data-access', 'type:util'],
  'type:util': ['type:domain', 'type:contracts', 'type:data-access', 'type:util'],
  'type:feature': ['type:domain', 'type:contracts', 'type:data-access', 'type:util', 'type:feature'],
  'type:app': ['type:feature', 'type:util', 'type:data-access', 'type:contracts', 'type:domain'],
  'type:test': ['type:domain', 'type:contracts', 'type:data-access', 'type:util', 'type:feature'],
  'type:e2e': ['type:domain', 'type:contracts', 'type:data-access', 'type:util', 'type:feature', 'type:test'],
};
const scopeRules = {
  'scope:case': ['scope:case'],
  'scope:catalog': ['scope:catalog', 'scope:case', 'scope:city', 'scope:shared'],
  'scope:city': ['scope:city', 'scope:case', 'scope:catalog', 'scope:routing'],
  'scope:shared': ['scope:shared', 'scope:case', 'scope:catalog', 'scope:city'],
  'scope:intake': ['scope:intake', 'scope:case', 'scope:catalog', 'scope:city', 'scope:shared'],
  'scope:routing': ['scope:routing', 'scope:case', 'scope:catalog', 'scope:city', 'scope:shared'],
  'scope:department-adapter': ['scope:department-adapter', 'scope:case', 'scope:catalog', 'scope:city', 'scope:shared'],
  'scope:notification': ['scope:notification', 'scope:case', 'scope:catalog', 'scope:city', 'scope:shared'],
  // The city's figures (CitiStat): a read model of the case log.
  'scope:statistics': ['scope:statistics', 'scope:case', 'scope:catalog', 'scope:city', 'scope:shared'],
  'scope:dev': ['scope:shared'],
  // Operators' command line (apps/ops-cli): the shared log and the contexts it reports on.
  'scope:ops': ['scope:ops', 'scope:shared', 'scope:case', 'scope:catalog', 'scope:city', 'scope:statistics'],
  'scope:e2e': ['scope:shared', 'scope:case', 'scope:catalog', 'scope:city', 'scope:intake', 'scope:routing', 'scope:department-adapter', 'scope:notification', 'scope:statistics'],
};
const constraints = (forSpecs = false) => [
  ...Object.entries(typeRules).map(([sourceTag, allowed]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: forSpecs ? [...allowed, 'type:test'] : allowed,
    ...(sourceTag === 'type:domain' || sourceTag === 'type:contracts' ? { bannedExternalImports: infrastructure } : {}),
  })),
  ...Object.entries(scopeRules).map(([sourceTag, allowed]) => ({ sourceTag, onlyDependOnLibsWithTags: allowed })),
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: constraints() }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'libs/shared/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: constraints(true) }] },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
