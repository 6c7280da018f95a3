/** Parse worker: receives file bytes and their lexical facts, answers parsed facts. */
import { parentPort } from 'node:worker_threads';
import { parseBytes } from './filefacts.js';
import type { LexFacts } from './lexfacts.js';

parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; lex: LexFacts }) => {
  try {
    parentPort!.postMessage({ id: msg.id, facts: parseBytes(msg.bytes, msg.lex) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
