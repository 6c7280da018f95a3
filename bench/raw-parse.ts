/**
 * The floor of the real-code bench, as a whole process: reads every C source
 * and header under one folder, decodes it as the engine does and parses it
 * once with tree-sitter-c, one thread. Prints `{"files":N,"bytes":N,"ms":N}`.
 *
 * Run: node dist/bench/raw-parse.js DIR
 */
import { readFileSync } from 'node:fs';
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { listSources } from '../src/engine/sources.js';
import { decodeSource } from '../src/engine/text.js';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: raw-parse DIR');
  const t0 = performance.now();
  const parser = new Parser();
  parser.setLanguage(C);
  let bytes = 0;
  // The same list the scan reads (same extensions, same skipped folders).
  const files = (await listSources(dir)).paths;
  for (const file of files) {
    const raw = readFileSync(file);
    bytes += raw.length;
    const text = decodeSource(raw).text;
    parser.parse(text, undefined, { bufferSize: Math.max(32768, text.length + 1) });
  }
  process.stdout.write(JSON.stringify({ files: files.length, bytes, ms: performance.now() - t0 }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`raw-parse: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
