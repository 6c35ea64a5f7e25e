import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchPart, benchParts, partNames } from './parts.ts';

/**
 * `npm run bench [-- <part>] [--json] [--quick]`. With a part, runs only that part in this process; with
 * `--json` it prints exactly one JSON object on stdout. Without a part, runs every part in its own child
 * process (so one part's heap and JIT state cannot colour the next), prints the tables and writes
 * `bench/results/all.json`. Each part also writes `bench/results/<part>.json`.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 1) {
    process.stderr.write(`usage: npm run -s bench -- [${partNames.join('|')}] [--json] [--quick]\n`);
    return values.help ? 0 : 2;
  }
  const name = positionals[0];
  if (name !== undefined) {
    const part = benchParts.find((candidate) => candidate.name === name);
    if (part === undefined) {
      process.stderr.write(`Unknown part "${name}"; choose one of ${partNames.join(', ')}.\n`);
      return 2;
    }
    return runOne(part, values.json, values.quick);
  }
  return runAll(values.json, values.quick);
}

async function runOne(part: BenchPart, json: boolean, quick: boolean): Promise<number> {
  // Libraries (pdf.js among them) print warnings with console.log; keep stdout for the one JSON object.
  if (json) console.log = console.error;
  const started = performance.now();
  const figures = await part.run(quick);
  const result = {
    ...figures,
    machine: machine(),
    quick,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  writeResult(part.name, result);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${part.table(figures)}\n`);
  return 0;
}

function runAll(json: boolean, quick: boolean): number {
  const results: Record<string, unknown> = {};
  let failures = 0;
  for (const part of benchParts) {
    if (!json) process.stderr.write(`— ${part.name} …\n`);
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), part.name, '--json', ...(quick ? ['--quick'] : [])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) {
      failures++;
      results[part.name] = { error: `exited with status ${String(child.status ?? child.signal)}` };
      if (!json) process.stdout.write(`${part.name}: FAILED (${String(child.status ?? child.signal)})\n\n`);
      continue;
    }
    const figures = JSON.parse(child.stdout) as Record<string, unknown>;
    results[part.name] = figures;
    if (!json) process.stdout.write(`${part.table(figures)}\n\n`);
  }
  const all = { machine: machine(), quick, results };
  writeResult('all', all);
  if (json) process.stdout.write(`${JSON.stringify(all)}\n`);
  else process.stdout.write(`Figures written to bench/results/all.json\n`);
  return failures === 0 ? 0 : 1;
}

function writeResult(name: string, result: unknown): void {
  const directory = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    date: new Date().toISOString(),
  };
}

process.exitCode = await main();
