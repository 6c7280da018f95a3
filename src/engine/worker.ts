/** Parse worker: receives file bytes and their lexical facts, answers parsed facts. */
import { parentPort } from 'node:worker_threads';
import { parseBytes } from './filefacts.js';
import type { LexFacts } from './lexfacts.js';

parentPort!.on('message', (msg: { bytes: Uint8Array; lex: LexFacts }) => {
  try {
    parentPort!.postMessage({ facts: parseBytes(msg.bytes, msg.lex) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
