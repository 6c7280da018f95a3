/**
 * What the path analysis knows of a value: zero, nonzero, an unknown call
 * result it can learn about, or nothing. NDIS_STATUS_SUCCESS, STATUS_SUCCESS,
 * NULL and FALSE are zero; failure statuses are nonzero. Lengths are
 * compared as integers after expanding #define constants.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Expr } from './ast.js';
import type { Program } from './program.js';
import { packageRoot } from './rulepack.js';

interface WdkData {
  constants: Map<string, number>;
  waits: Set<string>;
  readOnly: Set<string>;
  zeroing: Set<string>;
  listHeadInits: Set<string>;
}

let wdk: WdkData | undefined;

function wdkData(): WdkData {
  if (!wdk) {
    const data = JSON.parse(readFileSync(join(packageRoot, 'rules/wdk-constants.json'), 'utf8')) as {
      constants: Record<string, number>;
      deviceWaits: string[];
      readOnlyCalls: string[];
      zeroingCalls: string[];
      listHeadInitCalls: string[];
    };
    wdk = {
      constants: new Map(Object.entries(data.constants)),
      waits: new Set(data.deviceWaits),
      readOnly: new Set(data.readOnlyCalls),
      zeroing: new Set(data.zeroingCalls),
      listHeadInits: new Set(data.listHeadInitCalls),
    };
  }
  return wdk;
}

/** WDK enumeration constants a driver uses without defining them (`rules/wdk-constants.json`). */
function wdkConstants(): Map<string, number> {
  return wdkData().constants;
}

/** WDK calls that only read what they are handed, addresses included (`DbgPrint`). */
export function isReadOnlyCall(name: string): boolean {
  return wdkData().readOnly.has(name);
}

/** WDK calls that zero the memory their first argument points to (`NdisZeroMemory`). */
export function isZeroingCall(name: string): boolean {
  return wdkData().zeroing.has(name);
}

/** WDK calls that point a list head's `Flink` and `Blink` at itself (`NdisInitializeListHead`). */
export function isListHeadInitCall(name: string): boolean {
  return wdkData().listHeadInits.has(name);
}

/** A name that holds a value where `vars` are in scope (a variable or a constant), not a type name read as one. */
export function isValueName(program: Program, name: string, vars: ReadonlyMap<string, unknown>, file: string): boolean {
  return vars.has(name) || program.globals.has(name) || constantTruth(name, program, file) !== undefined;
}

/** Calls during which the device may write memory it shares with the driver (waits, stalls). */
export function isDeviceWait(name: string): boolean {
  return wdkData().waits.has(name);
}

const SUCCESS = new Set([
  'NDIS_STATUS_SUCCESS',
  'STATUS_SUCCESS',
  'NULL',
  'FALSE',
  'false',
  'nullptr',
  'ERROR_SUCCESS',
]);
const NONZERO_WORDS = new Set(['TRUE', 'true']);
/** Statuses that are neither success nor failure for our purpose. */
const NOT_FAILURE = new Set(['NDIS_STATUS_PENDING', 'STATUS_PENDING']);

/**
 * What the path walk asks again and again, by program: a constant's truth by file and name, an
 * expression's value by expression (the same condition is evaluated on every path that reaches it).
 * The answers depend only on the program's macros and enums, which do not change.
 */
interface Remembered {
  /** Truths of names, by file, then name (two lookups of strings the program holds, not one of a new string). */
  truths: Map<string, Map<string, 'Z' | 'NZ' | undefined>>;
  /** Values of names, by file, then name. */
  names: Map<string, Map<string, bigint | undefined>>;
  values: WeakMap<Expr, { file: string; v: bigint | undefined }>;
}
const remembered = new WeakMap<Program, Remembered>();

function rememberedFor(program: Program): Remembered {
  let r = remembered.get(program);
  if (!r) remembered.set(program, (r = { truths: new Map(), names: new Map(), values: new WeakMap() }));
  return r;
}

/** Integer literals by text: a handful of spellings, read on every path. */
const literals = new Map<string, bigint | undefined>();

function literalValue(text: string): bigint | undefined {
  if (literals.has(text)) return literals.get(text);
  const v = parseInteger(text);
  if (literals.size > 10_000) literals.clear();
  literals.set(text, v);
  return v;
}

/** `Z`: zero; `NZ`: nonzero; undefined: unknown. */
export function constantTruth(name: string, program: Program, fromFile: string): 'Z' | 'NZ' | undefined {
  const truths = inFile(rememberedFor(program).truths, fromFile);
  if (truths.has(name)) return truths.get(name);
  const t = truthOf(name, program, fromFile);
  truths.set(name, t);
  return t;
}

/** The table of one file. */
function inFile<V>(byFile: Map<string, Map<string, V>>, file: string): Map<string, V> {
  let m = byFile.get(file);
  if (!m) byFile.set(file, (m = new Map<string, V>()));
  return m;
}

function truthOf(name: string, program: Program, fromFile: string): 'Z' | 'NZ' | undefined {
  if (SUCCESS.has(name)) return 'Z';
  if (NONZERO_WORDS.has(name)) return 'NZ';
  if (NOT_FAILURE.has(name)) return undefined;
  // Failure statuses, and NDIS error-log codes some drivers return as one (`NDIS_ERROR_CODE_ADAPTER_NOT_FOUND`).
  if (/^(?:NDIS_STATUS_|STATUS_|NDIS_ERROR_CODE_)[A-Z0-9_]+$/.test(name)) return 'NZ';
  const v = integerValue({ t: 'id', n: name }, program, fromFile);
  if (v === undefined) return undefined;
  return v === 0n ? 'Z' : 'NZ';
}

/** Integer value of an expression, expanding object-like macros; undefined when not constant. */
export function integerValue(e: Expr, program: Program, fromFile: string, depth = 0): bigint | undefined {
  if (depth > 0) return valueAt(e, program, fromFile, depth);
  if (e.t === 'num') return literalValue(e.v);
  const r = rememberedFor(program);
  if (e.t === 'id') {
    const names = inFile(r.names, fromFile);
    if (names.has(e.n)) return names.get(e.n);
    const v = valueAt(e, program, fromFile, 0);
    names.set(e.n, v);
    return v;
  }
  const hit = r.values.get(e);
  if (hit?.file === fromFile) return hit.v;
  const v = valueAt(e, program, fromFile, 0);
  r.values.set(e, { file: fromFile, v });
  return v;
}

function valueAt(e: Expr, program: Program, fromFile: string, depth: number): bigint | undefined {
  if (depth > 16) return undefined;
  switch (e.t) {
    case 'num':
      return parseInteger(e.v);
    case 'id': {
      const m = program.macro(fromFile, e.n);
      if (m) return m.params === null ? evalText(m.body, program, m.file, depth + 1) : undefined;
      const en = program.enumValue(fromFile, e.n);
      if (en) return evalText(en.value, program, en.file, depth + 1);
      const w = wdkConstants().get(e.n);
      return w === undefined ? undefined : BigInt(w);
    }
    case 'cast':
      return integerValue(e.e, program, fromFile, depth + 1);
    case 'un': {
      const v = integerValue(e.e, program, fromFile, depth + 1);
      if (v === undefined) return undefined;
      if (e.op === '-') return -v;
      if (e.op === '+') return v;
      if (e.op === '~') return ~v;
      if (e.op === '!') return v === 0n ? 1n : 0n;
      return undefined;
    }
    case 'bin': {
      const l = integerValue(e.l, program, fromFile, depth + 1);
      const r = integerValue(e.r, program, fromFile, depth + 1);
      if (l === undefined || r === undefined) return undefined;
      return binop(e.op, l, r);
    }
    default:
      return undefined;
  }
}

function binop(op: string, l: bigint, r: bigint): bigint | undefined {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0n ? undefined : l / r;
    case '%':
      return r === 0n ? undefined : l % r;
    case '<<':
      return l << r;
    case '>>':
      return l >> r;
    case '|':
      return l | r;
    case '&':
      return l & r;
    case '^':
      return l ^ r;
    default:
      return undefined;
  }
}

/** `0x100`, `256u`, `0400`, `1ULL`, `0b101` → value. */
export function parseInteger(text: string): bigint | undefined {
  const t = text.replace(/(?:[uU](?:ll|LL|l|L|i64)?|(?:ll|LL|l|L)[uU]?|i64|I64)$/, '');
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(t)) return BigInt(t);
    if (/^0[bB][01]+$/.test(t)) return BigInt(t);
    if (/^0[0-7]+$/.test(t)) return BigInt('0o' + t.slice(1));
    if (/^\d+$/.test(t)) return BigInt(t);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Integer value of a constant expression written as text (a macro body with its arguments put in); undefined when not constant. */
export function textValue(text: string, program: Program, fromFile: string): bigint | undefined {
  return evalText(text, program, fromFile, 1);
}

/** How deeply a constant's text may nest (parentheses, signs, casts) and still be evaluated. */
const MAX_CONSTANT_NESTING = 256;

/** Evaluates a macro body: numbers, names of other macros, + - * / % << >> | & ^ ~ and parentheses. */
function evalText(body: string, program: Program, file: string, depth: number): bigint | undefined {
  const toks = body.match(/\.?\d[\w.]*|[A-Za-z_]\w*|<<|>>|[-+*/%|&^~()]/g);
  if (toks?.join('').length !== body.replace(/\s+/g, '').length) return undefined;
  let i = 0;
  const prec: Record<string, number> = {
    '|': 1,
    '^': 2,
    '&': 3,
    '<<': 4,
    '>>': 4,
    '+': 5,
    '-': 5,
    '*': 6,
    '/': 6,
    '%': 6,
  };
  // Parentheses, signs and casts nest by recursion: a constant nested past any real one has no value here.
  let nesting = 0;
  const primary = (): bigint | undefined => {
    if (++nesting > MAX_CONSTANT_NESTING) return undefined;
    const v = primaryAt();
    nesting--;
    return v;
  };
  const primaryAt = (): bigint | undefined => {
    const t = toks[i++] as string | undefined;
    if (t === undefined) return undefined;
    if (t === '(') {
      // A cast like (ULONG) is skipped; otherwise a parenthesised expression.
      const name = toks[i] as string | undefined;
      if (
        name !== undefined &&
        /^[A-Za-z_]\w*$/.test(name) &&
        toks[i + 1] === ')' &&
        program.macro(file, name) === undefined
      ) {
        i += 2;
        return primary();
      }
      const v = expr(0);
      if (toks[i++] !== ')') return undefined;
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    if (t === '+') return primary();
    if (t === '~') {
      const v = primary();
      return v === undefined ? undefined : ~v;
    }
    if (/^\d/.test(t)) return parseInteger(t);
    return integerValue({ t: 'id', n: t }, program, file, depth + 1);
  };
  const expr = (minPrec: number): bigint | undefined => {
    let l = primary();
    while (l !== undefined && i < toks.length) {
      const p = prec[toks[i]] as number | undefined;
      if (p === undefined || p <= minPrec) break;
      const op = toks[i++];
      const r = expr(p);
      if (r === undefined) return undefined;
      l = binop(op, l, r);
    }
    return l;
  };
  const v = expr(0);
  return i === toks.length ? v : undefined;
}
