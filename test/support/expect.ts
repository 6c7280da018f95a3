/** The `EXPECT:` markers of the shared cases: the findings a case must give, exactly. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(c|h)$/.test(name)) out.push(p);
  }
  return out;
}

/** `path:line rule` for every EXPECT marker, in a line comment or a block comment. */
export function expectedFindings(root: string): string[] {
  const out: string[] = [];
  for (const file of sourcesUnder(root)) {
    const lines = readFileSync(file, 'latin1').split('\n');
    lines.forEach((text, i) => {
      const m = /(?:\/\/|\/\*)\s*EXPECT:\s*([^*\r\n]+)/.exec(text);
      if (!m) return;
      for (const rule of m[1]
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)) {
        out.push(`${relative(root, file).split(sep).join('/')}:${String(i + 1)} ${rule}`);
      }
    });
  }
  return out.sort();
}
