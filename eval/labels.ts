/**
 * The label of a driver (format: eval/LABELS.md), read and checked. Only the
 * fields the evaluation uses are typed; a label missing one of them is
 * reported by name rather than read as empty, so a typo never silently turns
 * into "no defect expected".
 */

import { existsSync, readFileSync } from 'node:fs';

export interface Place {
  file: string;
  line: number;
}

export interface FunctionRef extends Place {
  name: string;
}

export interface CallbackRef extends FunctionRef {
  role: string;
}

export interface ChainStep extends Place {
  call: string;
}

export interface FailureExit extends Place {
  kind: string;
  releasedAt: Place | null;
  /** No run reaches it: the helper whose status it tests always succeeds (an edit there changes nothing). */
  infeasible?: boolean;
}

export interface Release extends Place {
  length: string;
  verdict: string;
}

export interface Site extends Place {
  id: string;
  function: string;
  handle: string;
  length: string;
  lengthValue: number | null;
  /** `chain` is the calls from the callback to the mapping, "Init -> Helper". */
  context: { verdict: string; chain?: string };
  onFailure: { verdict: string; exits: FailureExit[] };
  inHalt: { verdict: string; chain: ChainStep[] };
  releases: Release[];
}

export interface ExpectedFinding extends Place {
  rule: string;
  site?: string;
  why?: string;
}

export interface Label {
  driver: string;
  initialize: FunctionRef[];
  halt: FunctionRef[];
  callbacks: CallbackRef[];
  sites: Site[];
  expected: ExpectedFinding[];
  debatable: ExpectedFinding[];
  /** Places a reader judged a finding false (the pack labels, `pack/<id>.json`): still false positives, listed as known. */
  falseAlarms: ExpectedFinding[];
}

/** The pack label of a driver (`<labels>/pack/<id>.json`, eval/LABELS.md): judged places of the pack's rules. */
export interface PackLabel {
  driver: string;
  expected: ExpectedFinding[];
  falseAlarms: ExpectedFinding[];
  debatable: ExpectedFinding[];
}

export class LabelError extends Error {}

type Json = Record<string, unknown>;

/** Reads one field with a check; `where` names the field for the message. */
class Reader {
  constructor(private readonly where: string) {}

  object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new LabelError(`${this.where}: ${field} must be an object`);
    }
    return value as Json;
  }

  array(o: Json, field: string, optional = false): unknown[] {
    const value = o[field];
    if (value === undefined && optional) return [];
    if (!Array.isArray(value)) throw new LabelError(`${this.where}: ${field} must be an array`);
    return value;
  }

  string(o: Json, field: string): string {
    const value = o[field];
    if (typeof value !== 'string') throw new LabelError(`${this.where}: ${field} must be a string`);
    return value;
  }

  line(o: Json, field: string): number {
    const value = o[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new LabelError(`${this.where}: ${field} must be a line number (integer >= 1)`);
    }
    return value;
  }

  place(value: unknown, field: string): Place {
    const o = this.object(value, field);
    return { file: this.string(o, 'file'), line: this.line(o, 'line') };
  }

  fail(message: string): never {
    throw new LabelError(`${this.where}: ${message}`);
  }

  at(suffix: string): Reader {
    return new Reader(`${this.where}${suffix}`);
  }
}

function readFunction(r: Reader, value: unknown): FunctionRef {
  const o = r.object(value, 'entry');
  return { name: r.string(o, 'name'), ...r.place(o, 'entry') };
}

function readSite(r: Reader, value: unknown): Site {
  const o = r.object(value, 'site');
  const id = r.string(o, 'id');
  const place = r.place(o, 'site');
  const context = r.object(o.context, 'context');
  const onFailure = r.object(o.onFailure, 'onFailure');
  const inHalt = r.object(o.inHalt, 'inHalt');
  const lengthValue = o.lengthValue;
  if (lengthValue !== null && lengthValue !== undefined && typeof lengthValue !== 'number') {
    r.fail('lengthValue must be a number or null');
  }
  return {
    id,
    ...place,
    function: typeof o.function === 'string' ? o.function : '',
    handle: typeof o.handle === 'string' ? o.handle : '',
    length: typeof o.length === 'string' ? o.length : '',
    lengthValue: typeof lengthValue === 'number' ? lengthValue : null,
    context: {
      verdict: r.string(context, 'verdict'),
      ...(typeof context.chain === 'string' ? { chain: context.chain } : {}),
    },
    onFailure: {
      verdict: r.string(onFailure, 'verdict'),
      exits: r.array(onFailure, 'exits', true).map((e, i) => {
        const er = r.at(` onFailure.exits[${String(i)}]`);
        const x = er.object(e, 'exit');
        return {
          ...er.place(x, 'exit'),
          kind: er.string(x, 'kind'),
          releasedAt: x.releasedAt === null || x.releasedAt === undefined ? null : er.place(x.releasedAt, 'releasedAt'),
          ...(x.infeasible === true ? { infeasible: true } : {}),
        };
      }),
    },
    inHalt: {
      verdict: r.string(inHalt, 'verdict'),
      chain: r.array(inHalt, 'chain', true).map((c, i) => {
        const cr = r.at(` inHalt.chain[${String(i)}]`);
        const x = cr.object(c, 'step');
        return { ...cr.place(x, 'step'), call: cr.string(x, 'call') };
      }),
    },
    releases: r.array(o, 'releases', true).map((v, i) => {
      const rr = r.at(` releases[${String(i)}]`);
      const x = rr.object(v, 'release');
      return {
        ...rr.place(x, 'release'),
        length: typeof x.length === 'string' ? x.length : '',
        verdict: rr.string(x, 'verdict'),
      };
    }),
  };
}

function readExpected(r: Reader, value: unknown): ExpectedFinding {
  const o = r.object(value, 'finding');
  const finding: ExpectedFinding = { rule: r.string(o, 'rule'), ...r.place(o, 'finding') };
  if (typeof o.site === 'string') finding.site = o.site;
  if (typeof o.why === 'string') finding.why = o.why;
  return finding;
}

/** Checks a parsed label; `source` names it in messages. */
export function parseLabel(value: unknown, source: string): Label {
  const r = new Reader(source);
  const o = r.object(value, 'label');
  return {
    driver: r.string(o, 'driver'),
    initialize: r.array(o, 'initialize', true).map((v, i) => readFunction(r.at(` initialize[${String(i)}]`), v)),
    halt: r.array(o, 'halt', true).map((v, i) => readFunction(r.at(` halt[${String(i)}]`), v)),
    callbacks: r.array(o, 'callbacks', true).map((v, i) => {
      const cr = r.at(` callbacks[${String(i)}]`);
      return { role: cr.string(cr.object(v, 'callback'), 'role'), ...readFunction(cr, v) };
    }),
    sites: r.array(o, 'sites').map((v, i) => readSite(r.at(` sites[${String(i)}]`), v)),
    expected: r.array(o, 'expected').map((v, i) => readExpected(r.at(` expected[${String(i)}]`), v)),
    debatable: r.array(o, 'debatable', true).map((v, i) => readExpected(r.at(` debatable[${String(i)}]`), v)),
    falseAlarms: r.array(o, 'falseAlarms', true).map((v, i) => readExpected(r.at(` falseAlarms[${String(i)}]`), v)),
  };
}

/** Checks a parsed pack label: every entry needs a reason (`why`), and a place is judged once per rule. */
export function parsePackLabel(value: unknown, source: string): PackLabel {
  const r = new Reader(source);
  const o = r.object(value, 'pack label');
  const list = (field: 'expected' | 'falseAlarms' | 'debatable'): ExpectedFinding[] =>
    r.array(o, field, true).map((v, i) => {
      const f = readExpected(r.at(` ${field}[${String(i)}]`), v);
      if (f.why === undefined || f.why === '') r.at(` ${field}[${String(i)}]`).fail('why must say why');
      return f;
    });
  const label = {
    driver: r.string(o, 'driver'),
    expected: list('expected'),
    falseAlarms: list('falseAlarms'),
    debatable: list('debatable'),
  };
  const seen = new Set<string>();
  for (const f of [...label.expected, ...label.falseAlarms, ...label.debatable]) {
    const key = `${f.rule} ${f.file}:${String(f.line)}`;
    if (seen.has(key)) r.fail(`${key} is judged twice`);
    seen.add(key);
  }
  return label;
}

/** The label with its pack label's judgements added (the pack label must name the same driver). */
export function withPack(label: Label, pack: PackLabel, source: string): Label {
  if (pack.driver !== label.driver)
    throw new LabelError(`${source}: names driver '${pack.driver}', not '${label.driver}'`);
  return {
    ...label,
    expected: [...label.expected, ...pack.expected],
    debatable: [...label.debatable, ...pack.debatable],
    falseAlarms: [...label.falseAlarms, ...pack.falseAlarms],
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LabelError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The label `file`, with the pack label `pack` (when it exists) merged in. */
export function readLabel(file: string, pack?: string): Label {
  const label = parseLabel(readJson(file), file);
  if (pack === undefined || !existsSync(pack)) return label;
  return withPack(label, parsePackLabel(readJson(pack), pack), pack);
}
