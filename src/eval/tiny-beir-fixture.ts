import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes a four-document BEIR dataset (CRLF qrels with header, queries carrying metadata) to a new temp dir. */
export async function writeTinyBeir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'docchat-beir-'));
  const corpus = [
    { _id: 'd1', title: 'Interleukin 6', text: 'IL-6 drives inflammation in rheumatoid arthritis.' },
    { _id: 'd2', title: 'Insulin', text: 'Insulin lowers blood glucose in diabetic patients.' },
    { _id: 'd3', title: 'Vitamin D', text: 'Vitamin D deficiency is common in winter.', metadata: {} },
    { _id: 'd4', title: '', text: 'Statins reduce cholesterol and cardiovascular events.' },
  ];
  const queries = [
    // The metadata names a wrong document on purpose: the loader must never read it.
    { _id: 'q1', text: 'IL6 causes arthritis inflammation', metadata: { d2: [{ label: 'SUPPORT' }] } },
    { _id: 'q2', text: 'blood glucose and insulin', metadata: {} },
    { _id: 'q3', text: 'statins cholesterol', metadata: {} },
    { _id: 'q4', text: 'a query nobody judged', metadata: {} },
  ];
  await writeFile(join(dir, 'corpus.jsonl'), `${corpus.map((line) => JSON.stringify(line)).join('\n')}\n`);
  await writeFile(join(dir, 'queries.jsonl'), queries.map((line) => JSON.stringify(line)).join('\n'));
  await mkdir(join(dir, 'qrels'));
  await writeFile(
    join(dir, 'qrels', 'test.tsv'),
    'query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq2\td2\t2\r\nq2\td3\t0\r\nq3\td4\t1\r\n',
  );
  return dir;
}
