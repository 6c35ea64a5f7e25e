import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEncryptedPdf,
  buildScannedPdf,
  buildTextPdf,
  truncatePdf,
} from '../test-helpers/pdf-fixtures.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import { tenQuestions } from '../test-helpers/ten-questions.ts';

const entry = new URL('./main.ts', import.meta.url).pathname;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, offline (no OpenAI variables). */
function cli(...args: string[]): Promise<Run> {
  return cliWith({}, ...args);
}

/** Runs the real CLI with only the given OPENAI_* / DOCCHAT_* variables. */
function cliWith(extra: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const name of Object.keys(env))
      if (name.startsWith('OPENAI_') || name.startsWith('DOCCHAT_')) delete env[name];
    Object.assign(env, extra);
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Wraps sentences into short lines so they fit the fixture's page width. */
const wrap = (text: string) => text.replace(/(.{1,60})(\s|$)/g, '$1\n').trim();
const filler = (topic: string) =>
  Array.from(
    { length: 14 },
    (_, i) => `Paragraph ${i + 1} about ${topic} repeats plain filler words here.`,
  ).join(' ');
const paper = [
  `Reinforcement Learning for Reasoning\nAbstract\n${wrap(
    'We introduce ZeroModel and FullModel. ZeroModel is trained with pure reinforcement learning and no supervised data.',
  )}\n${wrap(filler('weather'))}`,
  `${wrap('FullModel adds a cold start with curated examples before reinforcement learning. This makes its answers more readable.')}\n${wrap(filler('gardens'))}`,
  `Conclusion\n${wrap('Reinforcement learning alone can teach a model to reason, and a small cold start makes it readable.')}`,
];

let dir = '';
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docchat-cli-'));
  await writeFile(path('paper.pdf'), await buildTextPdf(paper, { title: 'RL for Reasoning' }));
  await writeFile(
    path('notes.TXT'),
    'Plain notes.\n\nThe launch date of Project Falcon is the third of March.\n',
  );
  await writeFile(
    path('questions.txt'),
    'When is the launch of Project Falcon?\n\nWhat is this document about?\n',
  );
  await writeFile(path('locked.pdf'), await buildEncryptedPdf(paper, { userPassword: 'open-sesame' }));
  await writeFile(path('scan.pdf'), await buildScannedPdf());
  await writeFile(path('broken.pdf'), truncatePdf(await buildTextPdf(paper), 0.3));
  await writeFile(path('empty.txt'), '');
  await writeFile(path('image.txt'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0, 1, 2, 3]));
  await writeFile(path('sheet.xlsx'), 'not supported');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('docchat ask', () => {
  it('streams an extractive answer with page-numbered sources', async () => {
    const run = await cli('ask', path('paper.pdf'), 'How is ZeroModel trained?');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('offline extractive answer');
    expect(run.stdout).toContain(
      'ZeroModel is trained with pure reinforcement learning and no supervised data. [',
    );
    expect(run.stdout).toMatch(/\[1\] paper\.pdf, page 1/);
    expect(run.stderr).toMatch(/indexed paper\.pdf \(3 pages, \d+ chunks\)/);
  });

  it('prints exactly one JSON object with --json, pages 1-based', async () => {
    const run = await cli(
      'ask',
      path('paper.pdf'),
      'What does FullModel add before reinforcement learning?',
      '--json',
      '--k',
      '2',
    );
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '');
    expect(result.question).toBe('What does FullModel add before reinforcement learning?');
    expect(result.answer).toContain('FullModel adds a cold start with curated examples');
    expect(result.sources.length).toBeLessThanOrEqual(2);
    expect(result.sources[0]).toMatchObject({ source: 'paper.pdf', page: 2 });
    expect(typeof result.sources[0].score).toBe('number');
    expect(typeof result.sources[0].text).toBe('string');
  });

  it('answers a file of questions, one JSON line each, with null pages for text files', async () => {
    const run = await cli('ask', path('notes.TXT'), '--questions', path('questions.txt'), '--json');
    expect(run.status).toBe(0);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(results.map((result) => result.question)).toEqual([
      'When is the launch of Project Falcon?',
      'What is this document about?',
    ]);
    expect(results[0].answer).toContain('third of March');
    expect(results[0].sources[0].page).toBeNull();
    expect(results[1].answer).toContain('This document is “Plain notes.”');
    expect(results[1]).not.toHaveProperty('query');
  });

  it('rewrites follow-ups from the earlier questions with --conversation', async () => {
    await writeFile(
      path('conversation.txt'),
      'How is ZeroModel trained?\nAnd what does FullModel add to it?\n',
    );
    const run = await cli(
      'ask',
      path('paper.pdf'),
      '--questions',
      path('conversation.txt'),
      '--conversation',
      '--json',
    );
    expect(run.status).toBe(0);
    const [first, second] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(first).not.toHaveProperty('query');
    expect(second.query).toBe(
      'And what does FullModel add to it? (following up on: How is ZeroModel trained?)',
    );
    expect(second.answer).toContain('FullModel adds a cold start');
    const text = await cli(
      'ask',
      path('paper.pdf'),
      '--questions',
      path('conversation.txt'),
      '--conversation',
    );
    expect(text.stdout).toContain('(searched for: And what does FullModel add to it? (following up on:');
  });

  it('opens an encrypted PDF with --password', async () => {
    const run = await cli(
      'ask',
      path('locked.pdf'),
      'How is ZeroModel trained?',
      '--password',
      'open-sesame',
      '--json',
    );
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).answer).toContain('pure reinforcement learning');
  });

  it.each([
    ['a missing file', ['ask', 'no-such-file.pdf', 'Q?'], /not found|No file/i],
    ['an unsupported type', ['ask', 'sheet.xlsx', 'Q?'], /\.xlsx|not supported|accept/i],
    ['an encrypted PDF without password', ['ask', 'locked.pdf', 'Q?'], /password/i],
    ['a wrong password', ['ask', 'locked.pdf', 'Q?', '--password', 'nope'], /password/i],
    ['a scanned PDF', ['ask', 'scan.pdf', 'Q?'], /scan|OCR/i],
    ['a corrupt PDF', ['ask', 'broken.pdf', 'Q?'], /damaged|corrupt|truncated/i],
    ['an empty file', ['ask', 'empty.txt', 'Q?'], /empty/i],
    ['binary data posing as text', ['ask', 'image.txt', 'Q?'], /text|binary/i],
    ['an unknown option', ['ask', 'paper.pdf', 'Q?', '--bogus'], /bogus/],
    ['a bad --k', ['ask', 'paper.pdf', 'Q?', '--k', 'many'], /DOCCHAT_K|k/],
    ['no question', ['ask', 'paper.pdf'], /question/i],
  ])('rejects %s with exit status 2 and one line on stderr', async (_, args, message) => {
    const [command, file, ...rest] = args as [string, string, ...string[]];
    const run = await cli(
      command,
      file.includes('.') && !file.startsWith('no-such') ? path(file) : file,
      ...rest,
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^docchat: /);
    expect(lines[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints help and rejects unknown commands', async () => {
    const help = await cli('ask', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--questions');
    const unknown = await cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command/);
  });
});

describe('docchat ask with a llama.cpp server', () => {
  const server = setupFakeOpenAIServer({
    flavor: 'llama.cpp',
    models: ['tiny-llama'],
    contextWindow: 1024,
    reply: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
  });

  it('uses the one model served, by its name, and marks a cut-off answer', async () => {
    const env = { OPENAI_BASE_URL: server.url, DOCCHAT_MAX_ANSWER_TOKENS: '20' };
    const json = await cliWith(env, 'ask', path('notes.TXT'), 'When is the launch?', '--json');
    expect(json.status).toBe(0);
    const output = JSON.parse(json.stdout.trim()) as Record<string, unknown>;
    expect(output).toMatchObject({ model: 'tiny-llama', truncated: true });
    expect(json.stderr).toContain('cut off at its length limit');
    const text = await cliWith(env, 'ask', path('notes.TXT'), 'When is the launch?');
    expect(text.stdout).toContain('A (tiny-llama):');
    expect(text.stderr).toContain('DOCCHAT_MAX_ANSWER_TOKENS');
    const chat = server.requests.filter((request) => request.path === '/v1/chat/completions');
    expect(chat.every((request) => (request.body as { max_tokens?: number }).max_tokens === 20)).toBe(true);
  });

  it('names the served models when the configured one is not served, with exit status 1', async () => {
    const run = await cliWith(
      { OPENAI_BASE_URL: server.url, DOCCHAT_CHAT_MODEL: 'llama3.2' },
      'ask',
      path('notes.TXT'),
      'When is the launch?',
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('serves: tiny-llama');
  });
});

describe('docchat ask with a local model file (llama.cpp in-process)', () => {
  it('holds a ten-question conversation in a 1,024-token window: every answer given, none failed', async () => {
    const { writeTinyGguf } = await import('../test-helpers/gguf-tiny-model.ts');
    const { syntheticText } = await import('../../bench/fixtures.ts');
    await writeFile(path('long-paper.txt'), syntheticText(60_000, 9));
    const questions = tenQuestions;
    await writeFile(path('conversation.txt'), `${questions.join('\n')}\n`);
    const run = await cliWith(
      {
        DOCCHAT_CHAT_MODEL_PATH: await writeTinyGguf({ contextLength: 1024, name: 'tiny-chat' }),
        DOCCHAT_GGUF_CONTEXT: '1024',
        DOCCHAT_GGUF_THREADS: '1',
        DOCCHAT_MAX_ANSWER_TOKENS: '64',
      },
      'ask',
      path('long-paper.txt'),
      '--questions',
      path('conversation.txt'),
      '--conversation',
      '--chat',
      'gguf',
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    const answers = run.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { question: string; model: string; error?: unknown; sources: unknown[] },
      );
    expect(answers.map((answer) => answer.question)).toEqual(questions);
    for (const answer of answers) {
      expect(answer.error, answer.question).toBeUndefined();
      expect(answer.model).toBe('tiny-chat');
      expect(answer.sources.length, answer.question).toBeGreaterThan(0);
    }
  }, 300_000);
});
