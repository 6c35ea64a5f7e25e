import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  programAvailability,
  stopChild,
  waitUntilAnswering,
} from '../../src/test-helpers/local-processes.ts';

/** Debian's nginx (`apt-get install nginx`). */
export const nginxPath = '/usr/sbin/nginx';

/** A running nginx that balances round-robin over docchat instances, on a free loopback port. */
export interface NginxBalancer {
  readonly url: string;
  /** nginx's error log, for failure messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Whether the balancer tests can run. Without nginx they are skipped locally (with a note) and fail in CI,
 * where a silently skipped suite would hide a broken setup.
 */
export function nginxAvailability(): { available: boolean } {
  return programAvailability(nginxPath, 'load-balancer tests', 'apt-get install nginx');
}

/**
 * The balancer part of deploy/nginx.conf, for `upstreams` (`http://127.0.0.1:port` each). API requests have an
 * upstream of their own so that their round-robin is not shifted by the UI's static files: consecutive API
 * requests land on different instances.
 */
function config(dir: string, port: number, upstreams: readonly string[]): string {
  const servers = upstreams.map((url) => `    server ${new URL(url).host} max_fails=1 fail_timeout=10s;`);
  const proxy = `
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;`;
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 20m;
  upstream docchat_api {
    zone docchat_api 64k;
${servers.join('\n')}
  }
  upstream docchat_ui {
    zone docchat_ui 64k;
${servers.join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location /api/ {
      proxy_pass http://docchat_api;${proxy}
    }
    location / {
      proxy_pass http://docchat_ui;${proxy}
    }
  }
}
`;
}

/** Starts nginx in the foreground (its own child process) and waits until it answers. */
export async function startNginxBalancer(upstreams: readonly string[]): Promise<NginxBalancer> {
  const dir = mkdtempSync(join(tmpdir(), 'docchat-nginx-'));
  const port = await freePort();
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config(dir, port, upstreams));
  const child: ChildProcess = spawn(nginxPath, ['-c', file, '-p', dir, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const errorLog = () => {
    const log = join(dir, 'error.log');
    return existsSync(log) ? `${output}${readFileSync(log, 'utf8')}` : output;
  };
  const stop = async () => {
    await stopChild(child, exited, 'SIGQUIT', 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  await waitUntilAnswering(`${url}/api/health`, {
    child,
    name: 'nginx',
    timeoutMs: 10_000,
    output: errorLog,
    stop,
  });
  return { url, errorLog, stop };
}
