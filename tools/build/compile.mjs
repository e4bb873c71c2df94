#!/usr/bin/env node
// Compiles the workspace's TypeScript to JavaScript beside each source file (apps/**/*.ts → *.js),
// for container images: a service then starts with `node apps/<service>/src/main.js`, with no
// compiler in the image. Imports of @caseline/* become relative paths (tsconfig.base.json's paths);
// decorators and their metadata are kept (NestJS injects by them). Tests are not compiled.
// Run it only in a copy of the tree (the Dockerfile's build stage): it writes next to the sources.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transformFileSync } from '@swc/core';

const root = process.argv[2] ?? process.cwd();
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const isTest = (name) => /\.(spec|test)\.ts$/.test(name);

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !isTest(name)) yield path;
  }
}

let count = 0;
for (const top of ['apps', 'libs']) {
  for (const file of sources(join(root, top))) {
    const { code } = transformFileSync(file, {
      swcrc: false,
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        baseUrl: root,
        paths: compilerOptions.paths,
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    writeFileSync(file.replace(/\.ts$/, '.js'), code);
    count++;
  }
}
console.log(`compiled ${count} files under ${relative(process.cwd(), root) || '.'}`);
