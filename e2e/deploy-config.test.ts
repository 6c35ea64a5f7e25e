import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/app-server.ts';
import { nginxAvailability, nginxPath } from './support/nginx-balancer.ts';

const example = readFileSync(join(repoRoot, 'deploy', 'nginx.conf'), 'utf8');

describe.skipIf(!nginxAvailability().available)('deploy/nginx.conf', () => {
  it('is a configuration nginx accepts (with the compose host name replaced)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docchat-nginx-check-'));
    try {
      const file = join(dir, 'nginx.conf');
      // `docchat` only resolves inside Docker Compose; everything else is checked as written.
      writeFileSync(file, example.replaceAll('docchat:7860', '127.0.0.1:7860'));
      const output = execFileSync(nginxPath, ['-t', '-c', file, '-p', dir, '-e', join(dir, 'error.log')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes event streams through unbuffered', () => {
    expect(example).toMatch(/^\s*proxy_buffering off;/m);
    expect(example).not.toMatch(/proxy_ignore_client_abort on/);
  });
});
