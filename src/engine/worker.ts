/** Parse worker: receives file bytes (and the macros their damaged regions may use), answers parsed facts. */
import { parentPort } from 'node:worker_threads';
import { parseBytes, preparedOf, type WorkerAnswer } from './filefacts.js';
import type { MacroDefinition } from './expand.js';
import { releaseTrees } from './trees.js';

const port = parentPort;
if (!port) throw new Error('src/engine/worker.ts runs as a worker thread only');

port.on('message', (msg: { bytes: Uint8Array; macros?: MacroDefinition[]; macroDigest?: string }) => {
  try {
    const macros = msg.macros ? new Map(msg.macros.map((m) => [m.name, m])) : undefined;
    const facts = parseBytes(msg.bytes, macros, msg.macroDigest);
    // The variants go back with the facts: the calling thread parses bodies from them, and preparing
    // them again there cost more than copying them.
    const answer: WorkerAnswer = { facts, prepared: preparedOf(msg.bytes) };
    port.postMessage(answer);
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
  }
  // This thread's dropped trees, past their bound (see trees.ts); the next file waits in the port meanwhile.
  void releaseTrees();
});
