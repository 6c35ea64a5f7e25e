import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Imports the server's modules in a fresh process and lists the heavy packages that got loaded. */
function heavyPackagesLoadedBy(code: string): string[] {
  const script = [
    "import { registerHooks } from 'node:module';",
    'const loaded = new Set();',
    'registerHooks({ resolve(specifier, context, next) {',
    "  if (specifier === 'openai' || specifier.startsWith('pdfjs-dist/legacy/build')) loaded.add(specifier);",
    '  return next(specifier, context);',
    '} });',
    code,
    'console.log(JSON.stringify([...loaded]));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: new URL('../..', import.meta.url),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('heavy modules', () => {
  it('are not imported when the server starts: pdf.js and the openai SDK load on first use', () => {
    const loaded = heavyPackagesLoadedBy(
      [
        "const { loadConfig } = await import('./src/config.ts');",
        "const { createRag } = await import('./src/pipeline/create-rag.ts');",
        "const { createApp } = await import('./src/server/create-app.ts');",
        "await import('./src/loaders/create-loader-pool.ts');",
        "await import('./src/storage/sqlite-chat-store.ts');",
        "createRag(loadConfig({ OPENAI_API_KEY: 'sk-test' }));",
      ].join('\n'),
    );
    expect(loaded).toEqual([]);
  });

  it('are imported once a PDF is read', () => {
    const loaded = heavyPackagesLoadedBy(
      [
        "const { loadDocument } = await import('./src/loaders/load-document.ts');",
        "const { buildTextPdf } = await import('./src/test-helpers/pdf-fixtures.ts');",
        "await loadDocument({ name: 'a.pdf', data: await buildTextPdf(['Hello there']) });",
      ].join('\n'),
    );
    expect(loaded).toContain('pdfjs-dist/legacy/build/pdf.mjs');
  });
});
