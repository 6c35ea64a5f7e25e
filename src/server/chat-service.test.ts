import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../storage/chat-store.ts';
import { toHistory } from './chat-service.ts';

const message = (role: 'user' | 'assistant', content: string, status?: MessageRecord['status']) => ({
  id: `${role}-${content}`,
  role,
  content,
  createdAt: 1,
  ...(status === undefined ? {} : { status }),
});

describe('toHistory', () => {
  it('never gives the model two user turns in a row, whatever was cut off', () => {
    const history = toHistory([
      message('user', 'First?'),
      message('assistant', '', 'interrupted'),
      message('user', 'Second?'),
      message('assistant', 'Failed', 'error'),
      message('user', 'Third?'),
      message('assistant', 'Half an answer', 'interrupted'),
      message('user', 'Fourth?'),
      message('assistant', 'Whole', 'complete'),
      message('user', 'Fifth, still streaming?'),
      message('assistant', 'Partial', 'streaming'),
    ]);
    expect(history).toEqual([
      { role: 'user', content: 'Third?' },
      { role: 'assistant', content: 'Half an answer' },
      { role: 'user', content: 'Fourth?' },
      { role: 'assistant', content: 'Whole' },
    ]);
  });
});
