/**
 * The benchmark corpus: a realistic NDIS driver tree of about 200 files and
 * 100,000 lines, generated from a seed (same seed, byte-identical output).
 *
 *   drivers/e1k/   NDIS 6 gigabit miniport (K&R braces, role type declarations,
 *                  assignment registration, watchdog timer, goto cleanup ladder)
 *   drivers/vmq/   NDIS 6 VMQ/SR-IOV miniport (Allman braces, designated
 *                  initializer, MSI-X, do { } while (FALSE) cleanup, work item)
 *   drivers/n100/  NDIS 5 legacy miniport (IN/OUT/NTAPI, NDIS_MINIPORT_CHARACTERISTICS,
 *                  CRLF line ends, two files with Latin-1 comments)
 *   drivers/rtl/   NDIS 6 miniport known only by `_Function_class_` annotations and a
 *                  registration through a pointer (BAR loop, local-then-field mapping)
 *   drivers/xg/    one driver built two ways side by side: x5.c (NDIS 5) and x6.c
 *                  (NDIS 6) define the same non-static names
 *   lib/ndisx/     header-only shared library (inline helpers, I/O wrapper macros)
 *
 * Most of the code is filler from corpus-code.ts (register programming, rings,
 * NBL walks, OID switches, statistics), which never maps anything. A known set
 * of violations of the four rules is written into the hand-written parts; each
 * carries an invisible marker that `finish` turns into an expected finding,
 * so every expected line number is computed from the emitted text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CodeGen, OIDS_NDIS5, OIDS_NDIS6, indent, type Drv, type FnRef, type Sig } from './corpus-code.js';
import { Rng } from './rng.js';
import { defined } from '../src/util/defined.js';

export type RuleId = 'ndis/mmap-context' | 'ndis/unmap-on-failure' | 'ndis/unmap-in-halt' | 'ndis/unmap-length';

export interface CorpusFile {
  /** Relative path with forward slashes. */
  path: string;
  text: string;
  /** How the text is written to disk: UTF-8, or one byte per character. */
  encoding: 'utf8' | 'latin1';
}

export interface ExpectedFinding {
  rule: RuleId;
  path: string;
  line: number;
  /** What was injected there, for the bench's report. */
  note: string;
}

export interface Corpus {
  seed: number;
  files: CorpusFile[];
  expected: ExpectedFinding[];
}

/** Files and statements the bench edits for its one-file-changed figures. */
export const EDITS = {
  /** A data-path file no rule needs: the bench appends a comment line. */
  dataPathFile: 'drivers/e1k/tx_ring.c',
  /** The initialize file of e1k: the bench changes the constant of one statement. */
  initFile: 'drivers/e1k/init.c',
  initStatement: /^(\s*adapter->RxBufferSize = )[^;]*;/m,
};

// ------------------------------------------------------------------ markers

const MARK_OPEN = '\u0001';
const MARK_SEP = '\u001f';
const MARK_CLOSE = '\u0002';
const MARK_RE = new RegExp(
  `${MARK_OPEN}([^${MARK_SEP}${MARK_CLOSE}]*)${MARK_SEP}([^${MARK_CLOSE}]*)${MARK_CLOSE}`,
  'g',
);

/** Appended to a line: that line must carry a finding of `rule`. */
function expect(rule: RuleId, note: string): string {
  return `${MARK_OPEN}${rule}${MARK_SEP}${note}${MARK_CLOSE}`;
}

// ------------------------------------------------------------------ small helpers

interface RawFile {
  path: string;
  lines: string[];
  crlf?: boolean;
  latin1?: boolean;
}

/** A template of C code, dedented by its least indented non-blank line, as lines. */
function code(s: string): string[] {
  const lines = s
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '')
    .split('\n');
  let min = Infinity;
  for (const l of lines) if (l.trim()) min = Math.min(min, l.length - l.trimStart().length);
  if (!Number.isFinite(min)) min = 0;
  return lines.map((l) => l.slice(min).replace(/[ \t]+$/, ''));
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

type Style = 'knr' | 'allman';

/** Brace-style-aware statement builders. */
class Sb {
  constructor(readonly style: Style) {}

  block(head: string, body: string[]): string[] {
    return this.style === 'knr' ? [`${head} {`, ...indent(body), '}'] : [head, '{', ...indent(body), '}'];
  }

  ifElse(cond: string, then: string[], other?: string[]): string[] {
    if (!other) return this.block(`if (${cond})`, then);
    if (this.style === 'knr') return [`if (${cond}) {`, ...indent(then), '} else {', ...indent(other), '}'];
    return [`if (${cond})`, '{', ...indent(then), '}', 'else', '{', ...indent(other), '}'];
  }

  if(cond: string, then: string[]): string[] {
    return this.ifElse(cond, then);
  }

  switch(expr: string, cases: [string[], string[]][]): string[] {
    const body: string[] = [];
    for (const [labels, stmts] of cases) {
      for (const l of labels) body.push(l === 'default' ? 'default:' : `case ${l}:`);
      body.push(...indent(stmts));
    }
    const head = `switch (${expr})`;
    return this.style === 'knr' ? [`${head} {`, ...body, '}'] : [head, '{', ...body, '}'];
  }
}

// ------------------------------------------------------------------ name pools

const REG_NAMES = [
  'CTRL',
  'STATUS',
  'EECD',
  'EERD',
  'CTRL_EXT',
  'FLA',
  'MDIC',
  'FCAL',
  'FCAH',
  'FCT',
  'VET',
  'ICR',
  'ITR',
  'ICS',
  'IMS',
  'IMC',
  'IAM',
  'RCTL',
  'FCTTV',
  'TXCW',
  'RXCW',
  'TCTL',
  'TIPG',
  'LEDCTL',
  'PBA',
  'FCRTL',
  'FCRTH',
  'RDBAL',
  'RDBAH',
  'RDLEN',
  'RDH',
  'RDT',
  'RDTR',
  'RXDCTL',
  'RADV',
  'RSRPD',
  'TDBAL',
  'TDBAH',
  'TDLEN',
  'TDH',
  'TDT',
  'TIDV',
  'TXDCTL',
  'TADV',
  'TSPMT',
  'CRCERRS',
  'ALGNERRC',
  'SYMERRS',
  'RXERRC',
  'MPC',
  'SCC',
  'ECOL',
  'MCC',
  'LATECOL',
  'COLC',
  'DC',
  'TNCRS',
  'SEC',
  'CEXTERR',
  'RLEC',
  'XONRXC',
  'XONTXC',
  'XOFFRXC',
  'XOFFTXC',
  'FCRUC',
  'PRC64',
  'PRC127',
  'PRC255',
  'PRC511',
  'PRC1023',
  'PRC1522',
  'GPRC',
  'BPRC',
  'MPRC',
  'GPTC',
  'GORCL',
  'GORCH',
  'GOTCL',
  'GOTCH',
  'RNBC',
  'RUC',
  'RFC',
  'ROC',
  'RJC',
  'TORL',
  'TORH',
  'TOTL',
  'TOTH',
  'TPR',
  'TPT',
  'MPTC',
  'BPTC',
  'TSCTC',
  'TSCTFC',
  'RXCSUM',
  'MTA',
  'RAL',
  'RAH',
  'VFTA',
  'WUC',
  'WUFC',
  'WUS',
  'MANC',
  'SWSM',
  'FWSM',
  'GCR',
  'GSCL',
  'RETA',
  'RSSRK',
  'RSSIM',
  'MRQC',
  'VMOLR',
  'VMVIR',
  'PSRTYPE',
  'SRRCTL',
  'DCA_RXCTRL',
  'DCA_TXCTRL',
  'EITR',
  'GPIE',
  'IVAR',
  'TSYNCRXCTL',
  'TSYNCTXCTL',
  'SYSTIML',
  'SYSTIMH',
  'TIMINCA',
];
const REQUIRED_REGS = ['CTRL', 'STATUS', 'ICR', 'IMS', 'IMC', 'RCTL', 'TCTL'];

const BIT_GROUPS: Record<string, string[]> = {
  CTRL: [
    'FD',
    'LRST',
    'ASDE',
    'SLU',
    'ILOS',
    'SPD_100',
    'SPD_1000',
    'FRCSPD',
    'FRCDPX',
    'RST',
    'RFCE',
    'TFCE',
    'VME',
    'PHY_RST',
  ],
  STATUS: ['FD', 'LU', 'TXOFF', 'TBIMODE', 'SPEED_100', 'SPEED_1000', 'PHYRA', 'GIO_MASTER', 'LAN_INIT_DONE'],
  RCTL: ['EN', 'SBP', 'UPE', 'MPE', 'LPE', 'BAM', 'BSIZE_2048', 'SECRC', 'VFE', 'CFIEN', 'DPF', 'PMCF'],
  TCTL: ['EN', 'PSP', 'CT', 'COLD', 'SWXOFF', 'PBE', 'RTLC', 'NRTU', 'MULR'],
  INT: [
    'TXDW',
    'TXQE',
    'LSC',
    'RXSEQ',
    'RXDMT0',
    'RXO',
    'RXT0',
    'MDAC',
    'RXCFG',
    'GPI',
    'TXD_LOW',
    'SRPD',
    'ACK',
    'MNG',
  ],
  EECD: ['SK', 'CS', 'DI', 'DO', 'REQ', 'GNT', 'PRES', 'SIZE', 'AUPDEN'],
  RXCSUM: ['IPOFL', 'TUOFL', 'IPV6OFL', 'CRCOFL', 'IPPCSE', 'PCSD'],
  MRQC: ['RSS_EN', 'HASH_IPV4', 'HASH_IPV4_TCP', 'HASH_IPV6', 'HASH_IPV6_TCP', 'HASH_IPV4_UDP'],
};

const STAT_NAMES = [
  'TxFramesOk',
  'RxFramesOk',
  'TxErrors',
  'RxErrors',
  'RxNoBuffer',
  'RxCrcErrors',
  'RxAlignErrors',
  'TxOneCollision',
  'TxMultiCollision',
  'TxDeferred',
  'TxLateCollision',
  'TxAbortExcessCollision',
  'RxOverrun',
  'RxRuntFrames',
  'RxOversizeFrames',
  'TxUnderrun',
  'RxMissedPackets',
  'TxBytes',
  'RxBytes',
  'TxMulticast',
  'RxMulticast',
  'TxBroadcast',
  'RxBroadcast',
  'RxDiscards',
  'TxDiscards',
  'LinkChanges',
  'RxChecksumErrors',
  'TxLsoPackets',
  'RxCoalesced',
  'TxTimeouts',
  'RxQueueDrops',
  'RxVlanFrames',
  'TxPauseFrames',
  'RxPauseFrames',
];
const REQUIRED_STATS = ['HardwareErrors', 'ResetCount', 'InterruptCount', 'DpcCount', 'WatchdogRuns'];

const FIELD_NAMES = [
  'LinkSpeed',
  'Duplex',
  'MaxFrameSize',
  'CurrentLookahead',
  'PacketFilter',
  'InterruptModeration',
  'TxBufferSize',
  'NumTxDescriptors',
  'NumRxDescriptors',
  'RssQueues',
  'VlanId',
  'Priority',
  'FlowControl',
  'ItrValue',
  'MulticastCount',
  'WakeUpFlags',
  'PowerState',
  'PhyAddress',
  'PhyId',
  'EepromSize',
  'FirmwareVersion',
  'MacType',
  'BusWidth',
  'BusSpeed',
  'TxIntDelay',
  'RxIntDelay',
  'TxAbsIntDelay',
  'RxAbsIntDelay',
  'OffloadFlags',
  'LsoMaxSize',
  'ChecksumFlags',
  'QueueMask',
  'ProcessorMask',
  'HashType',
  'HashKeySize',
  'IndirectionSize',
  'VportCount',
  'FilterCount',
  'Generation',
  'ResetReason',
  'AutonegAdvertised',
  'SmartSpeedCount',
  'PbaNumber',
  'DmaAlignment',
  'SgElements',
];
const REQUIRED_FIELDS = ['RxBufferSize', 'LinkSpeed', 'PacketFilter'];

const FLAG_NAMES = [
  'Halting',
  'MsixEnabled',
  'RssEnabled',
  'VlanStripping',
  'WolEnabled',
  'JumboEnabled',
  'Promiscuous',
  'AllMulticast',
  'ChecksumOffload',
  'LsoEnabled',
  'VmqEnabled',
  'SriovEnabled',
  'InterruptsEnabled',
  'DeviceInD0',
];
const REQUIRED_FLAGS = ['LinkUp', 'Paused', 'InReset', 'SurpriseRemoved'];

const ABSTRACTS: Record<string, string> = {
  tx: 'Transmit path: descriptor ring management, doorbells and send completion.',
  rx: 'Receive path: ring replenishment and indication of received frames.',
  oid: 'OID handling: query and set requests from NDIS and protocols.',
  phy: 'PHY access over MDIO: link setup, auto-negotiation and speed/duplex resolution.',
  nvm: 'Non-volatile memory access: EEPROM words, flash sectors and checksums.',
  stats: 'Hardware and software statistics, accumulated from clear-on-read counters.',
  power: 'Power management: wake-on-LAN patterns, D-state transitions and PnP events.',
  rss: 'Receive side scaling: hash keys, indirection tables and queue steering.',
  vlan: 'IEEE 802.1Q VLAN filtering, tagging and stripping.',
  filter: 'Receive filters: packet filter, multicast table and unicast address slots.',
  intr: 'Interrupt moderation, MSI-X vector assignment and cause decoding.',
  mac: 'MAC configuration: addresses, flow control, MTU and inter-packet gap.',
  diag: 'Diagnostics: self tests, register dumps and trace helpers.',
  cfg: 'Configuration: registry keywords, defaults and limits.',
  dma: 'DMA: shared memory, scatter/gather lists and alignment.',
  lso: 'Large send offload: segmentation parameters and header parsing.',
  csum: 'Checksum offload: IPv4/TCP/UDP checksum computation and validation.',
  vmq: 'VMQ and SR-IOV: VPorts, queue allocation and the PF/VF mailbox.',
  ring: 'Generic ring bookkeeping: producer/consumer indices and credits.',
};

// ------------------------------------------------------------------ per-driver context

interface Ctx {
  rng: Rng;
  d: Drv;
  gen: CodeGen;
  sb: Sb;
  /** Short name used for file names: `e1k` → `e1k.h`, `e1k_regs.h`. */
  short: string;
  vendor: string;
  /** The adapter field that holds the miniport adapter handle. */
  handle: string;
  /** The adapter field the register macros read through. */
  base: string;
  regDefs: [string, number][];
  bitDefs: [string, string][];
  files: RawFile[];
  crlf: boolean;
  /** Header files every .c file of the driver includes. */
  includes: string[];
}

interface CtxOpts {
  dir: string;
  short: string;
  P: string;
  U: string;
  ndis5: boolean;
  style: Style;
  doc: Drv['doc'];
  elseRate: number;
  handle: string;
  base: string;
  vendor: string;
  crlf?: boolean;
}

function makeCtx(parent: Rng, o: CtxOpts): Ctx {
  const r = parent.fork();
  const U = o.U;
  const regBases = uniq([...REQUIRED_REGS, ...r.sample(REG_NAMES, r.int(55, 80))]).sort(
    (a, b) => REG_NAMES.indexOf(a) - REG_NAMES.indexOf(b),
  );
  let off = 0;
  const regDefs: [string, number][] = regBases.map((b) => {
    off += 4 * r.int(1, 12);
    if (r.chance(0.12)) off = (off + 0x100) & ~0xff;
    return [`${U}_REG_${b}`, off];
  });
  const bitDefs: [string, string][] = [];
  const groups = uniq(['CTRL', 'INT', ...r.sample(Object.keys(BIT_GROUPS), r.int(2, 4))]);
  for (const g of groups) {
    const positions = r.sample(
      Array.from({ length: 32 }, (_, i) => i),
      BIT_GROUPS[g].length,
    );
    BIT_GROUPS[g].forEach((b, i) => bitDefs.push([`${U}_${g}_${b}`, `(1UL << ${String(positions[i])})`]));
  }
  const d: Drv = {
    dir: o.dir,
    P: o.P,
    U,
    A: `${U}_ADAPTER`,
    PA: `P${U}_ADAPTER`,
    ndis5: o.ndis5,
    style: o.style,
    doc: o.doc,
    regRead: `${U}_READ_REG`,
    regWrite: `${U}_WRITE_REG`,
    trace: `${o.P}Trace`,
    regs: regDefs.map((x) => x[0]),
    bits: bitDefs.map((x) => x[0]),
    stats: uniq([...REQUIRED_STATS, ...r.sample(STAT_NAMES, r.int(16, 26))]),
    fields: uniq([...REQUIRED_FIELDS, ...r.sample(FIELD_NAMES, r.int(16, 26))]),
    flags: uniq([...REQUIRED_FLAGS, ...r.sample(FLAG_NAMES, r.int(5, 9))]),
    names: new Set(),
    exported: [],
    safe: [],
    elseRate: o.elseRate,
  };
  return {
    rng: r,
    d,
    gen: new CodeGen(d, r),
    sb: new Sb(o.style),
    short: o.short,
    vendor: o.vendor,
    handle: o.handle,
    base: o.base,
    regDefs,
    bitDefs,
    files: [],
    crlf: o.crlf ?? false,
    includes: [`${o.short}.h`, `${o.short}_proto.h`],
  };
}

/** Reserves hand-written names so filler never reuses them. */
function reserve(x: Ctx, ...names: string[]): void {
  for (const n of names) x.d.names.add(n);
}

function addFile(x: Ctx, name: string, lines: string[], opts: { latin1?: boolean; crlf?: boolean } = {}): void {
  x.files.push({ path: `${x.d.dir}/${name}`, lines, crlf: opts.crlf ?? x.crlf, latin1: opts.latin1 });
}

// ------------------------------------------------------------------ file pieces

function banner(x: Ctx, file: string, abstract: string, extra: string[] = []): string[] {
  const from = 2004 + x.rng.int(0, 10);
  const to = from + x.rng.int(2, 12);
  const words = abstract.split(' ');
  const wrapped: string[] = [];
  let cur = '';
  for (const w of words) {
    if ((cur + ' ' + w).trim().length > 70) {
      wrapped.push(cur.trim());
      cur = '';
    }
    cur += ' ' + w;
  }
  if (cur.trim()) wrapped.push(cur.trim());
  return [
    '/*++',
    '',
    `Copyright (c) ${String(from)}-${String(to)} ${x.vendor}. All rights reserved.`,
    '',
    'Module Name:',
    '',
    `    ${file}`,
    '',
    'Abstract:',
    '',
    ...wrapped.map((l) => `    ${l}`),
    ...extra,
    '',
    'Environment:',
    '',
    '    Kernel mode only.',
    '',
    '--*/',
    '',
  ];
}

function includeLines(x: Ctx, extra: string[] = []): string[] {
  return [...[...x.includes, ...extra].map((h) => `#include "${h}"`), ''];
}

/** Call lines for filler functions from hand-written code, through adapter variable `a`. */
function fillerCalls(x: Ctx, refs: FnRef[], a: string, statusVar: boolean): string[] {
  const r = x.rng;
  const out: string[] = [];
  for (const f of refs) {
    switch (f.sig) {
      case 'v':
        out.push(`${f.name}(${a});`);
        break;
      case 'vu':
        out.push(`${f.name}(${a}, ${a}->${r.pick(x.d.fields)});`);
        break;
      case 'su':
        if (statusVar) {
          out.push(`status = ${f.name}(${a}, ${String(r.int(0, 7))});`);
          out.push(
            ...x.sb.if('status != NDIS_STATUS_SUCCESS', [
              `${x.d.trace}(TRACE_LEVEL_WARNING, "${f.name} failed %08x\\n", status);`,
            ]),
          );
        } else {
          out.push(`(VOID)${f.name}(${a}, ${String(r.int(0, 7))});`);
        }
        break;
      case 'uu':
        out.push(`${a}->${r.pick(x.d.stats)} += ${f.name}(${a}, ${String(r.int(0, 3))});`);
        break;
      case 'b':
        out.push(...x.sb.if(`${f.name}(${a})`, [`${a}->${r.pick(x.d.stats)}++;`]));
        break;
    }
  }
  return out;
}

/** n exported filler functions, preferably from files whose name matches `near`. */
function pickFillers(x: Ctx, n: number, near?: RegExp, sigs?: Sig[]): FnRef[] {
  let pool = x.d.exported.filter((f) => (!near || near.test(f.file)) && (!sigs || sigs.includes(f.sig)));
  if (pool.length < n) pool = x.d.exported.filter((f) => !sigs || sigs.includes(f.sig));
  return x.rng.sample(pool, n).map((f) => ({ name: f.name, sig: f.sig }));
}

/** A run of filler functions, optionally with one `#ifdef X / #else` section of two builds of the same functions. */
function fillerBody(
  x: Ctx,
  file: string,
  theme: string,
  target: number,
  fileNames: Set<string>,
  opts: { staticRate?: number; ifdef?: string } = {},
): string[] {
  const r = x.rng;
  const allowElse = r.chance(x.d.elseRate);
  if (!opts.ifdef)
    return x.gen.fillFunctions(file, theme, target, fileNames, { staticRate: opts.staticRate, allowElse });
  const first = Math.floor(target * r.float() * 0.6);
  const out = x.gen.fillFunctions(file, theme, first, fileNames, { staticRate: opts.staticRate, allowElse });
  // Two builds of the same functions under #ifdef / #else.
  const fns: { name: string; sig: Sig; isStatic: boolean }[] = [];
  for (let k = r.int(2, 3); k > 0; k--) {
    const isStatic = r.chance(opts.staticRate ?? 0.5);
    const sig = r.weighted<Sig>([
      [4, 'v'],
      [4, 'vu'],
      [3, 'su'],
      [2, 'uu'],
      [2, 'b'],
    ]);
    fns.push({ name: x.gen.name(theme, isStatic, fileNames), sig, isStatic });
  }
  const callees = () =>
    r
      .sample([...r.sample(x.d.exported, 3), ...r.sample(x.d.safe, 1)], r.int(0, 3))
      .map((f) => ({ name: f.name, sig: f.sig }));
  out.push(`#ifdef ${opts.ifdef}`, '');
  for (const f of fns) out.push(...x.gen.fn(f.name, f.sig, f.isStatic, theme, callees(), false));
  out.push('#else // !' + opts.ifdef, '');
  for (const f of fns) out.push(...x.gen.fn(f.name, f.sig, f.isStatic, theme, callees(), false));
  out.push(`#endif // ${opts.ifdef}`, '');
  for (const f of fns) if (!f.isStatic) x.d.exported.push({ name: f.name, sig: f.sig, file });
  out.push(
    ...x.gen.fillFunctions(file, theme, Math.max(0, target - out.length), fileNames, {
      staticRate: opts.staticRate,
      allowElse,
    }),
  );
  return out;
}

/** A whole filler file: banner, includes, file-scope data, functions. */
function fillerFile(
  x: Ctx,
  name: string,
  theme: string,
  target: number,
  opts: { ifdef?: string; staticRate?: number; latin1Note?: string; crlf?: boolean } = {},
): void {
  const r = x.rng;
  const lines: string[] = [];
  const extra = opts.latin1Note ? ['', `    ${opts.latin1Note}`] : [];
  lines.push(...banner(x, name, ABSTRACTS[theme] ?? ABSTRACTS.diag, extra));
  lines.push(...includeLines(x));
  if (r.chance(0.5)) {
    lines.push(
      `#define ${x.d.U}_${name.replace(/\W.*$/, '').toUpperCase()}_POLL_LIMIT ${r.pick(['16', '64', '100', '1000'])}`,
      '',
    );
  }
  if (r.chance(0.3)) {
    lines.push(
      `static ULONG ${x.d.P}${name.replace(/\.c$/, '').replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase())}Generation = 0;`,
      '',
    );
  }
  const fileNames = new Set<string>();
  lines.push(
    ...fillerBody(x, `${x.d.dir}/${name}`, theme, target, fileNames, {
      ifdef: opts.ifdef,
      staticRate: opts.staticRate,
    }),
  );
  addFile(x, name, lines, { crlf: opts.crlf });
}

function regsHeader(x: Ctx): void {
  const { d } = x;
  const guard = `_${d.U}_REGS_H_`;
  const lines = [
    ...banner(x, `${x.short}_regs.h`, 'Register offsets and bit definitions of the controller, from the datasheet.'),
  ];
  lines.push(`#ifndef ${guard}`, `#define ${guard}`, '', '//', '// Register offsets (BAR 0)', '//', '');
  for (const [n, off] of x.regDefs) {
    lines.push(`#define ${n.padEnd(36)} 0x${off.toString(16).toUpperCase().padStart(5, '0')}`);
  }
  lines.push('', '//', '// Queue-indexed registers', '//', '');
  for (const q of ['RDBAL', 'RDLEN', 'RDH', 'RDT', 'TDBAL', 'TDLEN', 'TDH', 'TDT', 'RXDCTL', 'TXDCTL']) {
    lines.push(
      `#define ${`${d.U}_REG_${q}_Q(n)`.padEnd(36)} (0x0${x.rng.hex(2)}00 + ((n) * 0x${x.rng.pick(['40', '100'])}))`,
    );
  }
  let group = '';
  for (const [n, v] of x.bitDefs) {
    const g = n.slice(d.U.length + 1).replace(/_.*$/, '');
    if (g !== group) {
      lines.push('', `// ${g} bits`, '');
      group = g;
    }
    lines.push(`#define ${n.padEnd(36)} ${v}`);
  }
  lines.push('', `#endif // ${guard}`);
  addFile(x, `${x.short}_regs.h`, lines);
}

function hwHeader(x: Ctx, extra: string[]): void {
  const { d } = x;
  const guard = `_${d.U}_HW_H_`;
  const lines = [...banner(x, `${x.short}_hw.h`, 'Register access macros and trace definitions.')];
  lines.push(`#ifndef ${guard}`, `#define ${guard}`, '');
  lines.push(
    ...code(`
    #define ${d.regRead}(a, r) \\
        READ_REGISTER_ULONG((PULONG)((PUCHAR)(a)->${x.base} + (r)))
    #define ${d.regWrite}(a, r, v) \\
        WRITE_REGISTER_ULONG((PULONG)((PUCHAR)(a)->${x.base} + (r)), (v))
    #define ${d.U}_FLUSH(a) \\
        (VOID)${d.regRead}((a), ${d.U}_REG_STATUS)

    #if DBG
    #define ${d.trace}(level, ...) \\
        DbgPrintEx(DPFLTR_IHVNETWORK_ID, (level), __VA_ARGS__)
    #else
    #define ${d.trace}(level, ...)
    #endif
  `),
  );
  lines.push('', ...extra, '', `#endif // ${guard}`);
  addFile(x, `${x.short}_hw.h`, lines);
}

interface HeaderSpec {
  consts: [string, string][];
  types?: string[];
  /** Driver-specific members of the adapter structure. */
  members: string[];
  roles: [string, string][];
  protos: string[];
  globals?: string[];
  extraIncludes?: string[];
}

function mainHeader(x: Ctx, spec: HeaderSpec): void {
  const { d } = x;
  const U = d.U;
  const lines = [
    ...banner(
      x,
      `${x.short}.h`,
      'Adapter context, ring structures and declarations shared by every file of the driver.',
    ),
  ];
  lines.push(
    '#pragma once',
    '',
    '#include <ndis.h>',
    ...(spec.extraIncludes ?? []).map((h) => `#include "${h}"`),
    `#include "${x.short}_regs.h"`,
    `#include "${x.short}_hw.h"`,
    '',
  );
  for (const [n, v] of [
    [`${U}_MAX_QUEUES`, '8'],
    [`${U}_MAX_FRAME_SIZE`, '9018'],
    [`${U}_DESC_STATUS_DD`, '0x01'],
    [`${U}_MAX_PENDING`, '64'],
    [`${U}_POOL_TAG`, `'${d.P.slice(0, 3)}x'`],
    ...spec.consts,
  ] as [string, string][]) {
    lines.push(`#define ${n.padEnd(32)} ${v}`);
  }
  lines.push(
    '',
    ...code(`
    typedef struct _${U}_DESC {
        ULONGLONG BufferAddress;
        USHORT Length;
        UCHAR Cso;
        UCHAR Cmd;
        UCHAR Status;
        UCHAR Css;
        USHORT Special;
    } ${U}_DESC, *P${U}_DESC;

    typedef struct _${U}_RING {
        P${U}_DESC Desc;
        NDIS_PHYSICAL_ADDRESS DescPa;
        ULONG Count;
        ULONG Head;
        ULONG Tail;
    } ${U}_RING, *P${U}_RING;
  `),
    '',
  );
  if (spec.types) lines.push(...spec.types, '');
  lines.push(`typedef struct _${U}_ADAPTER {`);
  lines.push(...indent(spec.members));
  lines.push(
    '    NDIS_SPIN_LOCK Lock;',
    `    ${U}_RING TxRing[${U}_MAX_QUEUES];`,
    `    ${U}_RING RxRing[${U}_MAX_QUEUES];`,
    '    NDIS_OID LastOid;',
  );
  if (d.ndis5) lines.push(`    PNDIS_PACKET PendingPackets[${U}_MAX_PENDING];`, '    ULONG PendingPacketCount;');
  else
    lines.push(
      '    PNET_BUFFER_LIST PendingSendList;',
      '    PNET_BUFFER_LIST CompletedList;',
      '    PNET_BUFFER_LIST RecvIndicateList;',
    );
  lines.push(
    '    UCHAR PermanentAddress[ETH_LENGTH_OF_ADDRESS];',
    '    UCHAR CurrentAddress[ETH_LENGTH_OF_ADDRESS];',
    '',
  );
  lines.push('    // Configuration and state', ...d.fields.map((f) => `    ULONG ${f};`), '');
  lines.push(...d.flags.map((f) => `    BOOLEAN ${f};`), '');
  lines.push('    // Statistics', ...d.stats.map((s) => `    ULONG64 ${s};`));
  lines.push(`} ${U}_ADAPTER, *P${U}_ADAPTER;`, '');
  if (spec.globals) lines.push(...spec.globals, '');
  if (spec.roles.length) {
    lines.push('//', '// Callbacks', '//', '');
    for (const [t, f] of spec.roles) lines.push(`${t} ${f};`);
    lines.push('');
  }
  lines.push('//', '// Hand-written helpers', '//', '', ...spec.protos);
  addFile(x, `${x.short}.h`, lines);
}

/** The small files every driver folder has: precompiled header, version and WPP trace definitions. */
function smallFiles(x: Ctx): void {
  const { d } = x;
  const r = x.rng;
  const U = d.U;
  addFile(x, 'precomp.h', [
    ...banner(x, 'precomp.h', 'Precompiled header.'),
    '#pragma once',
    '',
    '#include <ndis.h>',
    '#include <ntddk.h>',
    `#include "${x.short}.h"`,
    `#include "${x.short}_version.h"`,
    `#include "${x.short}_trace.h"`,
  ]);
  const major = r.int(1, 12);
  const minor = r.int(0, 40);
  const build = r.int(100, 9999);
  addFile(x, `${x.short}_version.h`, [
    ...banner(x, `${x.short}_version.h`, 'Driver version, stamped by the build.'),
    '#pragma once',
    '',
    `#define ${U}_VERSION_MAJOR ${String(major)}`,
    `#define ${U}_VERSION_MINOR ${String(minor)}`,
    `#define ${U}_VERSION_BUILD ${String(build)}`,
    `#define ${U}_VERSION ((${U}_VERSION_MAJOR << 16) | ${U}_VERSION_MINOR)`,
    `#define ${U}_VERSION_STRING "${String(major)}.${String(minor)}.${String(build)}.0"`,
    `#define ${U}_VENDOR_DESCRIPTION "${x.vendor.replace(/[^\x20-\x7e]/g, '').trim()}"`,
    '',
  ]);
  const guid = () => `${r.hex(8)},${r.hex(4)},${r.hex(4)},${r.hex(4)},${r.hex(12)}`;
  addFile(x, `${x.short}_trace.h`, [
    ...banner(x, `${x.short}_trace.h`, 'WPP tracing: control GUID and flags.'),
    '#pragma once',
    '',
    '#define WPP_CONTROL_GUIDS \\',
    `    WPP_DEFINE_CONTROL_GUID(${d.P}TraceGuid, (${guid()}), \\`,
    '        WPP_DEFINE_BIT(TRACE_INIT) \\',
    '        WPP_DEFINE_BIT(TRACE_SEND) \\',
    '        WPP_DEFINE_BIT(TRACE_RECV) \\',
    '        WPP_DEFINE_BIT(TRACE_OID) \\',
    '        WPP_DEFINE_BIT(TRACE_HW) \\',
    '        )',
    '',
    '#define WPP_LEVEL_FLAGS_LOGGER(lvl, flags) WPP_LEVEL_LOGGER(flags)',
    '#define WPP_LEVEL_FLAGS_ENABLED(lvl, flags) (WPP_LEVEL_ENABLED(flags) && WPP_CONTROL(WPP_BIT_ ## flags).Level >= lvl)',
    '',
    '#ifndef TRACE_LEVEL_VERBOSE',
    '#define TRACE_LEVEL_NONE        0',
    '#define TRACE_LEVEL_CRITICAL    1',
    '#define TRACE_LEVEL_ERROR       2',
    '#define TRACE_LEVEL_WARNING     3',
    '#define TRACE_LEVEL_INFORMATION 4',
    '#define TRACE_LEVEL_VERBOSE     5',
    '#endif',
    '',
  ]);
}

/** Prototypes of every exported filler function; written last, when all are known. */
function protoHeader(x: Ctx): void {
  const lines = [
    ...banner(
      x,
      `${x.short}_proto.h`,
      'Prototypes of the internal functions of the driver, one section per source file.',
    ),
  ];
  lines.push('#pragma once', '');
  let file = '';
  for (const f of x.d.exported) {
    if (f.file !== file) {
      lines.push('//', `// ${String(f.file.split('/').pop())}`, '//', '');
      file = f.file;
    }
    lines.push(...x.gen.prototype(f));
  }
  addFile(x, `${x.short}_proto.h`, lines);
}

/** The driver's "safe" hardware helpers, which the filler calls; none maps anything. */
function safeHelpers(x: Ctx): string[] {
  const { d } = x;
  const sb = x.sb;
  const P = d.P;
  const ann = (s: string) => (d.ndis5 ? 'IN ' : `${s} `);
  const ret = (t: string) => (d.ndis5 ? `${t} NTAPI` : t);
  const head = (t: string, name: string, extra?: string) => {
    const ps = [`${ann('_In_')}${d.PA} Adapter`, ...(extra ? [`${ann('_In_')}${extra}`] : [])];
    return d.style === 'knr'
      ? [ret(t), `${name}(${ps.join(', ')})`]
      : [ret(t), `${name}(`, ...ps.map((p, i) => `    ${p}${i < ps.length - 1 ? ',' : ''}`), '    )'];
  };
  const safe: (FnRef & { lines: string[] })[] = [
    {
      name: `${P}HwFlushWrites`,
      sig: 'v',
      lines: [...head('VOID', `${P}HwFlushWrites`), '{', `    (VOID)${d.regRead}(Adapter, ${d.U}_REG_STATUS);`, '}'],
    },
    {
      name: `${P}HwSetLed`,
      sig: 'vu',
      lines: [
        ...head('VOID', `${P}HwSetLed`, 'ULONG Value'),
        '{',
        '    ULONG ctrl;',
        '',
        `    ctrl = ${d.regRead}(Adapter, ${d.U}_REG_CTRL);`,
        '    ctrl = (ctrl & ~0x0000000F) | (Value & 0x0000000F);',
        `    ${d.regWrite}(Adapter, ${d.U}_REG_CTRL, ctrl);`,
        '}',
      ],
    },
    {
      name: `${P}HwAcquireSwSemaphore`,
      sig: 'su',
      lines: [
        ...head('NDIS_STATUS', `${P}HwAcquireSwSemaphore`, 'ULONG Value'),
        '{',
        '    ULONG i;',
        '',
        ...indent(
          sb.block('for (i = 0; i < Value + 100; i++)', [
            ...sb.if(`(${d.regRead}(Adapter, ${d.U}_REG_STATUS) & 0x80000000) == 0`, ['return NDIS_STATUS_SUCCESS;']),
            'NdisStallExecution(50);',
          ]),
        ),
        '    return NDIS_STATUS_RESOURCES;',
        '}',
      ],
    },
    {
      name: `${P}HwReadEepromWord`,
      sig: 'uu',
      lines: [
        ...head('ULONG', `${P}HwReadEepromWord`, 'ULONG Index'),
        '{',
        '    ULONG value;',
        '    ULONG i;',
        '',
        `    ${d.regWrite}(Adapter, ${d.U}_REG_CTRL, (Index << 8) | 1);`,
        ...indent(
          sb.block('for (i = 0; i < 1000; i++)', [
            `value = ${d.regRead}(Adapter, ${d.U}_REG_CTRL);`,
            ...sb.if('(value & 0x10) != 0', ['return value >> 16;']),
            'NdisStallExecution(5);',
          ]),
        ),
        '    return 0xFFFF;',
        '}',
      ],
    },
    {
      name: `${P}HwIsLinkUp`,
      sig: 'b',
      lines: [
        ...head('BOOLEAN', `${P}HwIsLinkUp`),
        '{',
        `    return (BOOLEAN)((${d.regRead}(Adapter, ${d.U}_REG_STATUS) & 0x2) != 0);`,
        '}',
      ],
    },
    {
      name: `${P}HwDisableInterrupts`,
      sig: 'v',
      lines: [
        ...head('VOID', `${P}HwDisableInterrupts`),
        '{',
        `    ${d.regWrite}(Adapter, ${d.U}_REG_IMC, 0xFFFFFFFF);`,
        `    ${d.U}_FLUSH(Adapter);`,
        '}',
      ],
    },
    {
      name: `${P}HwEnableInterrupts`,
      sig: 'v',
      lines: [
        ...head('VOID', `${P}HwEnableInterrupts`),
        '{',
        `    ${d.regWrite}(Adapter, ${d.U}_REG_IMS, ${d.bits
          .filter((b) => b.includes('_INT_'))
          .slice(0, 3)
          .join(' | ')});`,
        '}',
      ],
    },
  ];
  reserve(x, ...safe.map((s) => s.name));
  d.safe.push(...safe.map((s) => ({ name: s.name, sig: s.sig })));
  const out: string[] = [];
  for (const s of safe) out.push(...s.lines, '');
  return out;
}

function safeProtos(x: Ctx): string[] {
  const out: string[] = [];
  for (const s of x.d.safe) out.push(...x.gen.prototype(s));
  return out;
}

// ------------------------------------------------------------------ callbacks

interface CbSig {
  ret: 'NDIS_STATUS' | 'VOID' | 'BOOLEAN';
  /** [SAL, type, name]; for NDIS 5 the SAL maps to IN or OUT. */
  params: [string, string, string][];
  /** Parameter that carries the adapter context. */
  ctx?: string;
  roleType: string;
}

const CB6: Record<string, CbSig> = {
  setOptions: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'NdisDriverHandle'],
      ['_In_opt_', 'NDIS_HANDLE', 'DriverContext'],
    ],
    roleType: 'MINIPORT_SET_OPTIONS',
  },
  unload: { ret: 'VOID', params: [['_In_', 'PDRIVER_OBJECT', 'DriverObject']], roleType: 'MINIPORT_UNLOAD' },
  shutdown: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'NDIS_SHUTDOWN_ACTION', 'ShutdownAction'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_SHUTDOWN',
  },
  pause: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNDIS_MINIPORT_PAUSE_PARAMETERS', 'PauseParameters'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_PAUSE',
  },
  restart: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNDIS_MINIPORT_RESTART_PARAMETERS', 'RestartParameters'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_RESTART',
  },
  oidRequest: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_Inout_', 'PNDIS_OID_REQUEST', 'NdisRequest'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_OID_REQUEST',
  },
  cancelOid: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PVOID', 'RequestId'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_CANCEL_OID_REQUEST',
  },
  send: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNET_BUFFER_LIST', 'NetBufferLists'],
      ['_In_', 'NDIS_PORT_NUMBER', 'PortNumber'],
      ['_In_', 'ULONG', 'SendFlags'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_SEND_NET_BUFFER_LISTS',
  },
  cancelSend: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PVOID', 'CancelId'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_CANCEL_SEND',
  },
  returnNbl: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNET_BUFFER_LIST', 'NetBufferLists'],
      ['_In_', 'ULONG', 'ReturnFlags'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_RETURN_NET_BUFFER_LISTS',
  },
  checkForHang: {
    ret: 'BOOLEAN',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_CHECK_FOR_HANG',
  },
  reset: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_Out_', 'PBOOLEAN', 'AddressingReset'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_RESET',
  },
  pnp: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNET_DEVICE_PNP_EVENT', 'NetDevicePnPEvent'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'MINIPORT_DEVICE_PNP_EVENT_NOTIFY',
  },
  isr: {
    ret: 'BOOLEAN',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_Out_', 'PBOOLEAN', 'QueueDefaultInterruptDpc'],
      ['_Out_', 'PULONG', 'TargetProcessors'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_ISR',
  },
  dpc: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_In_', 'PVOID', 'MiniportDpcContext'],
      ['_In_', 'PVOID', 'ReceiveThrottleParameters'],
      ['_In_', 'PVOID', 'NdisReserved2'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_INTERRUPT_DPC',
  },
  enableIntr: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext']],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_ENABLE_INTERRUPT',
  },
  disableIntr: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext']],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_DISABLE_INTERRUPT',
  },
  msiIsr: {
    ret: 'BOOLEAN',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_In_', 'ULONG', 'MessageId'],
      ['_Out_', 'PBOOLEAN', 'QueueDefaultInterruptDpc'],
      ['_Out_', 'PULONG', 'TargetProcessors'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_MESSAGE_INTERRUPT',
  },
  msiDpc: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_In_', 'ULONG', 'MessageId'],
      ['_In_', 'PVOID', 'MiniportDpcContext'],
      ['_In_', 'PULONG', 'NdisReserved1'],
      ['_In_', 'PULONG', 'NdisReserved2'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_MESSAGE_INTERRUPT_DPC',
  },
  msiEnable: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_In_', 'ULONG', 'MessageId'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_ENABLE_MESSAGE_INTERRUPT',
  },
  msiDisable: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportInterruptContext'],
      ['_In_', 'ULONG', 'MessageId'],
    ],
    ctx: 'MiniportInterruptContext',
    roleType: 'MINIPORT_DISABLE_MESSAGE_INTERRUPT',
  },
  timer: {
    ret: 'VOID',
    params: [
      ['_In_', 'PVOID', 'SystemSpecific1'],
      ['_In_', 'PVOID', 'FunctionContext'],
      ['_In_', 'PVOID', 'SystemSpecific2'],
      ['_In_', 'PVOID', 'SystemSpecific3'],
    ],
    ctx: 'FunctionContext',
    roleType: 'NDIS_TIMER_FUNCTION',
  },
  workItem: {
    ret: 'VOID',
    params: [
      ['_In_', 'PVOID', 'WorkItemContext'],
      ['_In_', 'NDIS_HANDLE', 'NdisIoWorkItemHandle'],
    ],
    ctx: 'WorkItemContext',
    roleType: 'NDIS_IO_WORKITEM_FUNCTION',
  },
};

const CB5: Record<string, CbSig> = {
  halt: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_HALT_HANDLER',
  },
  checkForHang: {
    ret: 'BOOLEAN',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_CHECK_FOR_HANG_HANDLER',
  },
  reset: {
    ret: 'NDIS_STATUS',
    params: [
      ['_Out_', 'PBOOLEAN', 'AddressingReset'],
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_RESET_HANDLER',
  },
  isr: {
    ret: 'VOID',
    params: [
      ['_Out_', 'PBOOLEAN', 'InterruptRecognized'],
      ['_Out_', 'PBOOLEAN', 'QueueMiniportHandleInterrupt'],
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_ISR_HANDLER',
  },
  handleInterrupt: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_HANDLE_INTERRUPT_HANDLER',
  },
  enableIntr: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_ENABLE_INTERRUPT_HANDLER',
  },
  disableIntr: {
    ret: 'VOID',
    params: [['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext']],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_DISABLE_INTERRUPT_HANDLER',
  },
  sendPackets: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PPNDIS_PACKET', 'PacketArray'],
      ['_In_', 'UINT', 'NumberOfPackets'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_SEND_PACKETS_HANDLER',
  },
  returnPacket: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'PNDIS_PACKET', 'Packet'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_RETURN_PACKET_HANDLER',
  },
  shutdown: {
    ret: 'VOID',
    params: [['_In_', 'PVOID', 'ShutdownContext']],
    ctx: 'ShutdownContext',
    roleType: 'W_MINIPORT_SHUTDOWN_HANDLER',
  },
  pnp: {
    ret: 'VOID',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'NDIS_DEVICE_PNP_EVENT', 'PnPEvent'],
      ['_In_', 'PVOID', 'InformationBuffer'],
      ['_In_', 'ULONG', 'InformationBufferLength'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_PNP_EVENT_NOTIFY_HANDLER',
  },
  timer: {
    ret: 'VOID',
    params: [
      ['_In_', 'PVOID', 'SystemSpecific1'],
      ['_In_', 'PVOID', 'FunctionContext'],
      ['_In_', 'PVOID', 'SystemSpecific2'],
      ['_In_', 'PVOID', 'SystemSpecific3'],
    ],
    ctx: 'FunctionContext',
    roleType: '',
  },
  unload: { ret: 'VOID', params: [['_In_', 'PDRIVER_OBJECT', 'DriverObject']], roleType: '' },
  query: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'NDIS_OID', 'Oid'],
      ['_In_', 'PVOID', 'InformationBuffer'],
      ['_In_', 'ULONG', 'InformationBufferLength'],
      ['_Out_', 'PULONG', 'BytesWritten'],
      ['_Out_', 'PULONG', 'BytesNeeded'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_QUERY_INFORMATION_HANDLER',
  },
  set: {
    ret: 'NDIS_STATUS',
    params: [
      ['_In_', 'NDIS_HANDLE', 'MiniportAdapterContext'],
      ['_In_', 'NDIS_OID', 'Oid'],
      ['_In_', 'PVOID', 'InformationBuffer'],
      ['_In_', 'ULONG', 'InformationBufferLength'],
      ['_Out_', 'PULONG', 'BytesRead'],
      ['_Out_', 'PULONG', 'BytesNeeded'],
    ],
    ctx: 'MiniportAdapterContext',
    roleType: 'W_SET_INFORMATION_HANDLER',
  },
};

interface CbOpts {
  /** Kind-specific statements (after the adapter local), using `adapter`. */
  body?: string[];
  /** Extra locals. */
  locals?: string[];
  /** Parameters the body uses (the others get UNREFERENCED_PARAMETER). */
  uses?: string[];
  /** Filler functions to call. */
  calls?: FnRef[];
  /** `_Function_class_(ROLE)` on the definition instead of `_Use_decl_annotations_`. */
  functionClass?: boolean;
  /** Statements replacing the default return. */
  tail?: string[];
  doc?: string;
}

/** The head of a definition: annotations, return type, name and parameters. */
function signature(x: Ctx, sig: CbSig, name: string, functionClass: boolean): string[] {
  const d = x.d;
  const out: string[] = [];
  const explicitSal = functionClass;
  if (functionClass) out.push(`_Function_class_(${sig.roleType})`, `_IRQL_requires_max_(DISPATCH_LEVEL)`);
  else if (!d.ndis5) out.push('_Use_decl_annotations_');
  out.push(d.ndis5 ? `${sig.ret} NTAPI` : sig.ret);
  const ps = sig.params.map(([sal, ty, n]) => {
    const a = d.ndis5 ? (sal.startsWith('_Out') ? 'OUT ' : 'IN ') : explicitSal ? `${sal} ` : '';
    return `${a}${ty} ${n}`;
  });
  if (d.style === 'knr') {
    out.push(`${name}(`);
    ps.forEach((p, i) => out.push(`    ${p}${i < ps.length - 1 ? ',' : ')'}`));
  } else {
    out.push(`${name}(`);
    ps.forEach((p, i) => out.push(`    ${p}${i < ps.length - 1 ? ',' : ''}`));
    out.push('    )');
  }
  return out;
}

function callback(x: Ctx, table: Record<string, CbSig>, kind: string, name: string, o: CbOpts = {}): string[] {
  const d = x.d;
  const sig = table[kind] as CbSig | undefined;
  if (!sig) throw new Error(`no callback kind ${kind}`);
  reserve(x, name);
  const out: string[] = [];
  out.push(`/* ${o.doc ?? `${kind} callback.`} */`);
  out.push(...signature(x, sig, name, o.functionClass ?? false));
  out.push('{');
  const locals: string[] = [];
  if (sig.ctx) locals.push(`${d.PA} adapter = (${d.PA})${sig.ctx};`);
  if (sig.ret === 'NDIS_STATUS') locals.push('NDIS_STATUS status = NDIS_STATUS_SUCCESS;');
  if (sig.ret === 'BOOLEAN') locals.push('BOOLEAN result = FALSE;');
  locals.push(...(o.locals ?? []));
  out.push(...indent(locals), '');
  const uses = new Set([...(o.uses ?? []), ...(sig.ctx ? [sig.ctx] : [])]);
  for (const [, , n] of sig.params) if (!uses.has(n)) out.push(`    UNREFERENCED_PARAMETER(${n});`);
  out.push(`    ${d.trace}(TRACE_LEVEL_VERBOSE, "--> ${name}\\n");`, '');
  if (o.body) out.push(...indent(o.body));
  if (o.calls?.length) out.push(...indent(fillerCalls(x, o.calls, 'adapter', sig.ret === 'NDIS_STATUS')));
  out.push('', `    ${d.trace}(TRACE_LEVEL_VERBOSE, "<-- ${name}\\n");`);
  if (o.tail) out.push(...indent(o.tail));
  else if (sig.ret === 'NDIS_STATUS') out.push('    return status;');
  else if (sig.ret === 'BOOLEAN') out.push('    return result;');
  out.push('}', '');
  return out;
}

/** The big OID switch of an NDIS 6 driver: query or set, over many OIDs. */
function oidDispatch6(x: Ctx, name: string, set: boolean): string[] {
  const d = x.d;
  const r = x.rng;
  const sb = x.sb;
  reserve(x, name);
  const part = set ? 'SET_INFORMATION' : 'QUERY_INFORMATION';
  const cases: [string[], string[]][] = [];
  const oids = r.sample(OIDS_NDIS6, r.int(24, 40));
  const uuFillers = pickFillers(x, 10, /oid|stats/, ['uu']);
  const vuFillers = pickFillers(x, 10, /oid|cfg|filter/, ['vu']);
  for (const oid of oids) {
    const body: string[] = [];
    if (set) {
      body.push(...sb.if('length < sizeof(ULONG)', ['status = NDIS_STATUS_INVALID_LENGTH;', 'break;']));
      body.push('ulInfo = *(PULONG)buffer;');
      const k = r.int(0, 2);
      if (k === 0 || vuFillers.length === 0) body.push(`Adapter->${r.pick(d.fields)} = ulInfo;`);
      else if (k === 1) body.push(`${r.pick(vuFillers).name}(Adapter, ulInfo);`);
      else
        body.push(
          ...sb.ifElse(
            `ulInfo > ${r.pick(['0xFFFF', `${d.U}_MAX_FRAME_SIZE`, '64'])}`,
            ['status = NDIS_STATUS_INVALID_DATA;'],
            [`Adapter->${r.pick(d.fields)} = ulInfo;`],
          ),
        );
      body.push('bytesUsed = sizeof(ULONG);');
    } else {
      const k = r.int(0, 3);
      if (k === 0) body.push(`ulInfo = Adapter->${r.pick(d.fields)};`);
      else if (k === 1)
        body.push(`ul64Info = Adapter->${r.pick(d.stats)};`, 'info = &ul64Info;', 'infoLength = sizeof(ul64Info);');
      else if (k === 2 && uuFillers.length)
        body.push(`ulInfo = ${r.pick(uuFillers).name}(Adapter, ${String(r.int(0, 15))});`);
      else body.push(`ulInfo = Adapter->${r.pick(d.flags)} ? ${r.pick(['1', 'NdisMediaStateConnected', '0x10'])} : 0;`);
    }
    body.push('break;');
    cases.push([[oid], body]);
  }
  cases.push([['default'], ['status = NDIS_STATUS_NOT_SUPPORTED;', 'break;']]);
  const locals = set
    ? [
        'NDIS_STATUS status = NDIS_STATUS_SUCCESS;',
        `NDIS_OID oid = Request->DATA.${part}.Oid;`,
        `PVOID buffer = Request->DATA.${part}.InformationBuffer;`,
        `ULONG length = Request->DATA.${part}.InformationBufferLength;`,
        'ULONG ulInfo = 0;',
        'ULONG bytesUsed = 0;',
      ]
    : [
        'NDIS_STATUS status = NDIS_STATUS_SUCCESS;',
        `NDIS_OID oid = Request->DATA.${part}.Oid;`,
        `PVOID buffer = Request->DATA.${part}.InformationBuffer;`,
        `ULONG length = Request->DATA.${part}.InformationBufferLength;`,
        'ULONG ulInfo = 0;',
        'ULONG64 ul64Info = 0;',
        'PVOID info = &ulInfo;',
        'ULONG infoLength = sizeof(ulInfo);',
      ];
  const out: string[] = [];
  const ann = d.ndis5 ? '' : '_In_ ';
  out.push(`/* Handles ${set ? 'set' : 'query'} requests; called with the request already validated. */`);
  out.push(
    'NDIS_STATUS',
    `${name}(`,
    `    ${ann}${d.PA} Adapter,`,
    `    ${d.ndis5 ? '' : '_Inout_ '}PNDIS_OID_REQUEST Request${d.style === 'knr' ? ')' : ''}`,
  );
  if (d.style === 'allman') out.push('    )');
  out.push('{', ...indent(locals), '', '    Adapter->LastOid = oid;');
  out.push(...indent(sb.switch('oid', cases)));
  out.push('');
  if (set) {
    out.push(...indent(sb.if('status == NDIS_STATUS_SUCCESS', [`Request->DATA.${part}.BytesRead = bytesUsed;`])));
  } else {
    out.push(
      ...indent(
        sb.if('status == NDIS_STATUS_SUCCESS', [
          ...sb.ifElse(
            'length < infoLength',
            [`Request->DATA.${part}.BytesNeeded = infoLength;`, 'status = NDIS_STATUS_BUFFER_TOO_SHORT;'],
            ['NdisMoveMemory(buffer, info, infoLength);', `Request->DATA.${part}.BytesWritten = infoLength;`],
          ),
        ]),
      ),
    );
  }
  out.push('    return status;', '}', '');
  return out;
}

/** NDIS 5 query/set handler bodies: a switch over the OID with the classic out parameters. */
function oidBody5(x: Ctx, set: boolean): string[] {
  const d = x.d;
  const r = x.rng;
  const sb = x.sb;
  const cases: [string[], string[]][] = [];
  for (const oid of r.sample(OIDS_NDIS5, r.int(20, 30))) {
    const body: string[] = [];
    if (set) {
      body.push(
        ...sb.if('InformationBufferLength < sizeof(ULONG)', [
          '*BytesNeeded = sizeof(ULONG);',
          'status = NDIS_STATUS_INVALID_LENGTH;',
          'break;',
        ]),
      );
      body.push(`adapter->${r.pick(d.fields)} = *(PULONG)InformationBuffer;`, '*BytesRead = sizeof(ULONG);');
    } else if (r.chance(0.4)) {
      body.push(`ul64Info = adapter->${r.pick(d.stats)};`, 'info = &ul64Info;', 'infoLength = sizeof(ul64Info);');
    } else {
      body.push(`ulInfo = adapter->${r.pick(d.fields)};`);
    }
    body.push('break;');
    cases.push([[oid], body]);
  }
  cases.push([['default'], ['status = NDIS_STATUS_INVALID_OID;', 'break;']]);
  const out = [...sb.switch('Oid', cases), ''];
  if (!set) {
    out.push(
      ...sb.if('status == NDIS_STATUS_SUCCESS', [
        ...sb.ifElse(
          'infoLength > InformationBufferLength',
          ['*BytesNeeded = infoLength;', 'status = NDIS_STATUS_INVALID_LENGTH;'],
          ['NdisMoveMemory(InformationBuffer, info, infoLength);', '*BytesWritten = infoLength;'],
        ),
      ]),
    );
  }
  return out;
}

// ------------------------------------------------------------------ drivers

export function generateCorpus(seed: number): Corpus {
  const rng = new Rng(seed);
  const raw: RawFile[] = [];
  raw.push(...buildLib(rng.fork()));
  raw.push(...buildE1k(rng.fork()));
  raw.push(...buildVmq(rng.fork()));
  raw.push(...buildN100(rng.fork()));
  raw.push(...buildRtl(rng.fork()));
  raw.push(...buildXg(rng.fork()));
  return finish(seed, raw);
}

type FillerSpec = [name: string, theme: string, lines: number, ifdef?: string];

/** Scales every filler target; tuned so the tree comes to about 100,000 lines. */
const SCALE = 0.65;

function fillAll(x: Ctx, specs: FillerSpec[], opts: { latin1?: Set<string> } = {}): void {
  for (const [name, theme, lines, ifdef] of specs) {
    const latin1 = opts.latin1?.has(name);
    fillerFile(x, name, theme, Math.round(lines * SCALE), {
      ifdef,
      latin1Note: latin1 ? 'Hinweis: Zähler werden beim Lesen gelöscht; Größen in Bytes, nicht in Wörtern.' : undefined,
    });
    if (latin1) x.files[x.files.length - 1].latin1 = true;
  }
}

/** A hand-written file: banner, includes, the given parts, then filler up to `target` lines. */
function handFile(
  x: Ctx,
  name: string,
  abstract: string,
  parts: string[],
  theme: string,
  target: number,
  opts: { top?: string[]; latin1?: boolean; staticRate?: number } = {},
): void {
  const lines = [...banner(x, name, abstract), ...includeLines(x), ...(opts.top ?? [])];
  const fileNames = new Set<string>();
  const fill = Math.round(target * SCALE);
  // Filler first or last, as a real file grows either way.
  const filler =
    fill > 0 ? fillerBody(x, `${x.d.dir}/${name}`, theme, fill, fileNames, { staticRate: opts.staticRate ?? 0.6 }) : [];
  if (x.rng.chance(0.5)) lines.push(...parts, ...filler);
  else lines.push(...filler, ...parts);
  addFile(x, name, lines, { latin1: opts.latin1 });
}

// ================================================================== e1k

function buildE1k(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'drivers/e1k',
    short: 'e1k',
    P: 'E1k',
    U: 'E1K',
    ndis5: false,
    style: 'knr',
    doc: 'ms-inside',
    elseRate: 0.35,
    handle: 'AdapterHandle',
    base: 'Csr',
    vendor: 'Contoso Networks Corporation',
  });
  x.includes.push('../../lib/ndisx/ndisx.h');
  const sb = x.sb;
  reserve(
    x,
    'E1kInitializeEx',
    'E1kHaltEx',
    'E1kHwMapFlash',
    'E1kHwUnmapFlash',
    'E1kHwReset',
    'E1kHwStop',
    'E1kAllocateRings',
    'E1kFreeRings',
    'E1kRecoverAdapter',
    'E1kQueryInformation',
    'E1kSetInformation',
    'E1kWatchdogTimer',
    'E1kDriverHandle',
  );
  const safe = safeHelpers(x);

  fillAll(x, [
    ['tx_ring.c', 'tx', 1300],
    ['tx_context.c', 'tx', 800],
    ['tx_lso.c', 'lso', 1000, 'E1K_LSO_V2'],
    ['tx_csum.c', 'csum', 650],
    ['tx_complete.c', 'tx', 850],
    ['rx_ring.c', 'rx', 1250],
    ['rx_indicate.c', 'rx', 950],
    ['rx_split.c', 'rx', 550],
    ['rx_csum.c', 'csum', 550],
    ['rx_coalesce.c', 'rx', 450],
    ['phy.c', 'phy', 1400],
    ['phy_m88.c', 'phy', 750, 'E1K_PHY_M88_REV_B'],
    ['phy_igp.c', 'phy', 750],
    ['nvm.c', 'nvm', 850],
    ['nvm_flash.c', 'nvm', 550],
    ['mac.c', 'mac', 950],
    ['filter.c', 'filter', 750],
    ['vlan.c', 'vlan', 450],
    ['rss.c', 'rss', 850],
    ['intr_mod.c', 'intr', 550],
    ['stats.c', 'stats', 2200],
    ['stats_hw.c', 'stats', 1100],
    ['oid_offload.c', 'oid', 850],
    ['oid_pm.c', 'power', 650],
    ['dma.c', 'dma', 850],
    ['cfg.c', 'cfg', 1050],
    ['diag.c', 'diag', 950],
    ['dbg.c', 'diag', 650],
    ['led.c', 'mac', 280],
    ['manageability.c', 'diag', 450],
    ['eee.c', 'phy', 280],
    ['ptp.c', 'diag', 550],
  ]);

  const V1 = expect(
    'ndis/unmap-on-failure',
    'e1k: when NdisMRegisterInterruptEx fails, initialize jumps to err_unmap_csr and skips the unmap of Flash (mapped by E1kHwMapFlash)',
  );
  const V2 = expect(
    'ndis/mmap-context',
    'e1k: the watchdog timer (NDIS_TIMER_FUNCTION) reaches E1kRecoverAdapter, which maps Flash again',
  );

  // ---- hw.c
  const hw = [
    ...safe,
    ...code(`
      NDIS_STATUS
      E1kHwMapFlash(_In_ PE1K_ADAPTER Adapter)
      {
          NDIS_STATUS status;

          status = NdisMMapIoSpace((PVOID *)&Adapter->Flash,
                                   Adapter->AdapterHandle,
                                   Adapter->FlashPa,
                                   E1K_FLASH_LENGTH);
          if (status != NDIS_STATUS_SUCCESS) {
              Adapter->Flash = NULL;
          }
          return status;
      }

      VOID
      E1kHwUnmapFlash(_In_ PE1K_ADAPTER Adapter)
      {
          if (Adapter->Flash != NULL) {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Flash, E1K_FLASH_LENGTH);
              Adapter->Flash = NULL;
          }
      }

      NDIS_STATUS
      E1kHwReset(_In_ PE1K_ADAPTER Adapter)
      {
          ULONG i;

          E1K_WRITE_REG(Adapter, E1K_REG_IMC, 0xFFFFFFFF);
          E1K_WRITE_REG(Adapter, E1K_REG_CTRL, E1K_READ_REG(Adapter, E1K_REG_CTRL) | E1K_CTRL_RST);
          for (i = 0; i < 100; i++) {
              NdisStallExecution(10);
              if ((E1K_READ_REG(Adapter, E1K_REG_CTRL) & E1K_CTRL_RST) == 0) {
                  Adapter->ResetCount++;
                  return NDIS_STATUS_SUCCESS;
              }
          }
          Adapter->HardwareErrors++;
          return NDIS_STATUS_HARD_ERRORS;
      }

      VOID
      E1kHwStop(_In_ PE1K_ADAPTER Adapter)
      {
          E1K_WRITE_REG(Adapter, E1K_REG_IMC, 0xFFFFFFFF);
          E1K_WRITE_REG(Adapter, E1K_REG_RCTL, 0);
          E1K_WRITE_REG(Adapter, E1K_REG_TCTL, 0);
          E1K_FLUSH(Adapter);
          NdisStallExecution(10);
      }

      NDIS_STATUS
      E1kAllocateRings(_In_ PE1K_ADAPTER Adapter)
      {
          ULONG q;
          PE1K_RING ring;

          for (q = 0; q < E1K_MAX_QUEUES; q++) {
              ring = &Adapter->TxRing[q];
              ring->Count = E1K_DEFAULT_RING_SIZE;
              ring->Desc = NdisAllocateMemoryWithTagPriority(Adapter->AdapterHandle,
                                                             ring->Count * sizeof(E1K_DESC),
                                                             E1K_POOL_TAG, NormalPoolPriority);
              if (ring->Desc == NULL) {
                  E1kFreeRings(Adapter);
                  return NDIS_STATUS_RESOURCES;
              }
              ring = &Adapter->RxRing[q];
              ring->Count = E1K_DEFAULT_RING_SIZE;
              ring->Desc = NdisAllocateMemoryWithTagPriority(Adapter->AdapterHandle,
                                                             ring->Count * sizeof(E1K_DESC),
                                                             E1K_POOL_TAG, NormalPoolPriority);
              if (ring->Desc == NULL) {
                  E1kFreeRings(Adapter);
                  return NDIS_STATUS_RESOURCES;
              }
          }
          return NDIS_STATUS_SUCCESS;
      }

      VOID
      E1kFreeRings(_In_ PE1K_ADAPTER Adapter)
      {
          ULONG q;

          for (q = 0; q < E1K_MAX_QUEUES; q++) {
              if (Adapter->TxRing[q].Desc != NULL) {
                  NdisFreeMemory(Adapter->TxRing[q].Desc, 0, 0);
                  Adapter->TxRing[q].Desc = NULL;
              }
              if (Adapter->RxRing[q].Desc != NULL) {
                  NdisFreeMemory(Adapter->RxRing[q].Desc, 0, 0);
                  Adapter->RxRing[q].Desc = NULL;
              }
          }
      }
    `),
    '',
  ];
  handFile(x, 'hw.c', 'Hardware access: the flash window, chip reset and descriptor ring memory.', hw, 'mac', 500);

  // ---- init.c
  const init = [
    ...code(`
      static NDIS_STATUS
      E1kSetRegistrationAttributes(_In_ PE1K_ADAPTER Adapter)
      {
          NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES attr;

          NdisZeroMemory(&attr, sizeof(attr));
          attr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
          attr.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
          attr.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
          attr.CheckForHangTimeInSeconds = 4;
          attr.InterfaceType = NdisInterfacePci;
          return NdisMSetMiniportAttributes(Adapter->AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&attr);
      }

      static NDIS_STATUS
      E1kSetGeneralAttributes(_In_ PE1K_ADAPTER Adapter)
      {
          NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES gen;

          NdisZeroMemory(&gen, sizeof(gen));
          gen.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
          gen.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
          gen.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
          gen.MediaType = NdisMedium802_3;
          gen.PhysicalMediumType = NdisPhysicalMedium802_3;
          gen.MtuSize = E1K_MAX_FRAME_SIZE - 18;
          gen.MaxXmitLinkSpeed = 1000000000ULL;
          gen.MaxRcvLinkSpeed = 1000000000ULL;
          gen.MediaConnectState = MediaConnectStateUnknown;
          gen.MediaDuplexState = MediaDuplexStateUnknown;
          gen.LookaheadSize = E1K_MAX_FRAME_SIZE;
          gen.MacAddressLength = ETH_LENGTH_OF_ADDRESS;
          NdisMoveMemory(gen.PermanentMacAddress, Adapter->PermanentAddress, ETH_LENGTH_OF_ADDRESS);
          NdisMoveMemory(gen.CurrentMacAddress, Adapter->CurrentAddress, ETH_LENGTH_OF_ADDRESS);
          return NdisMSetMiniportAttributes(Adapter->AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&gen);
      }

      static NDIS_STATUS
      E1kFindResources(_In_ PE1K_ADAPTER Adapter, _In_opt_ PNDIS_RESOURCE_LIST Resources)
      {
          ULONG i;
          ULONG memoryBars = 0;
          PCM_PARTIAL_RESOURCE_DESCRIPTOR desc;

          if (Resources == NULL) {
              return NDIS_STATUS_RESOURCES;
          }
          for (i = 0; i < Resources->Count; i++) {
              desc = &Resources->PartialDescriptors[i];
              if (desc->Type != CmResourceTypeMemory) {
                  continue;
              }
              if (memoryBars == 0) {
                  Adapter->CsrPa = desc->u.Memory.Start;
              } else if (memoryBars == 1) {
                  Adapter->FlashPa = desc->u.Memory.Start;
              }
              memoryBars++;
          }
          return memoryBars >= 2 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
      }

      /*++

      Routine Description:

          MiniportInitializeEx. Maps the CSR and flash windows, resets the
          chip, allocates the rings, registers the interrupt and starts the
          watchdog. Every failure unwinds through the ladder at the end.

      --*/
      _Use_decl_annotations_
      NDIS_STATUS
      E1kInitializeEx(
          NDIS_HANDLE MiniportAdapterHandle,
          NDIS_HANDLE MiniportDriverContext,
          PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
      {
          NDIS_STATUS status;
          PE1K_ADAPTER adapter;
          NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS intr;
          NDIS_TIMER_CHARACTERISTICS timer;

          UNREFERENCED_PARAMETER(MiniportDriverContext);
          E1kTrace(TRACE_LEVEL_INFORMATION, "--> E1kInitializeEx\\n");

          adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
                                                      sizeof(E1K_ADAPTER),
                                                      E1K_POOL_TAG,
                                                      NormalPoolPriority);
          if (adapter == NULL) {
              status = NDIS_STATUS_RESOURCES;
              goto err_out;
          }
          NdisZeroMemory(adapter, sizeof(E1K_ADAPTER));
          adapter->AdapterHandle = MiniportAdapterHandle;
          adapter->RxBufferSize = E1K_DEFAULT_RX_BUFFER_SIZE;
          NdisAllocateSpinLock(&adapter->Lock);

          status = E1kSetRegistrationAttributes(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_free;
          }

          status = E1kFindResources(adapter, MiniportInitParameters->AllocatedResources);
          if (status != NDIS_STATUS_SUCCESS) {
              E1kTrace(TRACE_LEVEL_ERROR, "E1kInitializeEx: memory BARs missing\\n");
              goto err_free;
          }

          //
          // Map the control/status registers first: everything else reads them.
          //
          status = NdisMMapIoSpace((PVOID *)&adapter->Csr,
                                   MiniportAdapterHandle,
                                   adapter->CsrPa,
                                   E1K_CSR_LENGTH);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_free;
          }

          status = E1kHwMapFlash(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_unmap_csr;
          }

          status = E1kHwReset(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_unmap_flash;
          }
    `),
    ...indent(fillerCalls(x, pickFillers(x, 3, /mac|nvm|cfg/, ['v', 'vu']), 'adapter', false)),
    ...code(`
          status = E1kSetGeneralAttributes(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_unmap_flash;
          }

          status = E1kAllocateRings(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_unmap_flash;
          }

          NdisZeroMemory(&intr, sizeof(intr));
          intr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
          intr.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
          intr.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
          intr.InterruptHandler = E1kIsr;
          intr.InterruptDpcHandler = E1kInterruptDpc;
          intr.DisableInterruptHandler = E1kDisableInterrupt;
          intr.EnableInterruptHandler = E1kEnableInterrupt;
          status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &intr, &adapter->InterruptHandle);
          if (status != NDIS_STATUS_SUCCESS) {
              E1kTrace(TRACE_LEVEL_ERROR, "NdisMRegisterInterruptEx failed %08x\\n", status);
              goto err_unmap_csr;${V1}
          }

          NdisZeroMemory(&timer, sizeof(timer));
          timer.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
          timer.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
          timer.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
          timer.AllocationTag = E1K_POOL_TAG;
          timer.TimerFunction = E1kWatchdogTimer;
          timer.FunctionContext = adapter;
          status = NdisAllocateTimerObject(MiniportAdapterHandle, &timer, &adapter->WatchdogTimer);
          if (status != NDIS_STATUS_SUCCESS) {
              goto err_deregister;
          }

          E1kHwEnableInterrupts(adapter);
          E1kTrace(TRACE_LEVEL_INFORMATION, "<-- E1kInitializeEx\\n");
          return NDIS_STATUS_SUCCESS;

      err_deregister:
          NdisMDeregisterInterruptEx(adapter->InterruptHandle);
      err_free_rings:
          E1kFreeRings(adapter);
      err_unmap_flash:
          E1kHwUnmapFlash(adapter);
      err_unmap_csr:
          NdisMUnmapIoSpace(MiniportAdapterHandle, adapter->Csr, E1K_CSR_LENGTH);
      err_free:
          NdisFreeSpinLock(&adapter->Lock);
          NdisFreeMemory(adapter, 0, 0);
      err_out:
          return status;
      }
    `),
    '',
  ];
  handFile(x, 'init.c', 'MiniportInitializeEx and the attributes it reports to NDIS.', init, 'cfg', 0);

  // ---- halt.c
  const halt = [
    ...code(`
      /*++

      Routine Description:

          MiniportHaltEx: stops the hardware and releases everything
          MiniportInitializeEx acquired, in reverse order.

      --*/
      _Use_decl_annotations_
      VOID
      E1kHaltEx(
          NDIS_HANDLE MiniportAdapterContext,
          NDIS_HALT_ACTION HaltAction)
      {
          PE1K_ADAPTER adapter = (PE1K_ADAPTER)MiniportAdapterContext;

          UNREFERENCED_PARAMETER(HaltAction);
          E1kTrace(TRACE_LEVEL_INFORMATION, "--> E1kHaltEx\\n");

          adapter->Paused = TRUE;
          if (!NdisCancelTimerObject(adapter->WatchdogTimer)) {
              E1kTrace(TRACE_LEVEL_VERBOSE, "watchdog was not queued\\n");
          }
          NdisFreeTimerObject(adapter->WatchdogTimer);
          E1kHwStop(adapter);
    `),
    ...indent(fillerCalls(x, pickFillers(x, 2, /stats|power/, ['v']), 'adapter', false)),
    ...code(`
          NdisMDeregisterInterruptEx(adapter->InterruptHandle);
          E1kFreeRings(adapter);
          E1kHwUnmapFlash(adapter);
          NDISX_UNMAP_IO(adapter->AdapterHandle, adapter->Csr, E1K_CSR_LENGTH);
          NdisFreeSpinLock(&adapter->Lock);
          NdisFreeMemory(adapter, 0, 0);
      }
    `),
    '',
    ...callback(x, CB6, 'shutdown', 'E1kShutdownEx', { body: ['E1kHwStop(adapter);'] }),
  ];
  handFile(x, 'halt.c', 'MiniportHaltEx and MiniportShutdownEx.', halt, 'power', 250);

  // ---- driver.c
  const drv = [
    'NDIS_HANDLE E1kDriverHandle = NULL;',
    '',
    ...code(`
      _Use_decl_annotations_
      NTSTATUS
      DriverEntry(
          PDRIVER_OBJECT DriverObject,
          PUNICODE_STRING RegistryPath)
      {
          NDIS_STATUS status;
          NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;

          E1kTrace(TRACE_LEVEL_INFORMATION, "--> DriverEntry\\n");

          NdisZeroMemory(&chars, sizeof(chars));
          chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
          chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
          chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
          chars.MajorNdisVersion = E1K_NDIS_MAJOR_VERSION;
          chars.MinorNdisVersion = E1K_NDIS_MINOR_VERSION;
          chars.MajorDriverVersion = 12;
          chars.MinorDriverVersion = 17;
          chars.SetOptionsHandler = E1kSetOptions;
          chars.InitializeHandlerEx = E1kInitializeEx;
          chars.HaltHandlerEx = E1kHaltEx;
          chars.UnloadHandler = E1kUnload;
          chars.PauseHandler = E1kPause;
          chars.RestartHandler = E1kRestart;
          chars.OidRequestHandler = E1kOidRequest;
          chars.CancelOidRequestHandler = E1kCancelOidRequest;
          chars.SendNetBufferListsHandler = E1kSendNetBufferLists;
          chars.CancelSendHandler = E1kCancelSend;
          chars.ReturnNetBufferListsHandler = E1kReturnNetBufferLists;
          chars.CheckForHangHandlerEx = E1kCheckForHangEx;
          chars.ResetHandlerEx = E1kResetEx;
          chars.DevicePnPEventNotifyHandler = E1kDevicePnPEventNotify;
          chars.ShutdownHandlerEx = E1kShutdownEx;

          status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &E1kDriverHandle);
          if (status != NDIS_STATUS_SUCCESS) {
              E1kTrace(TRACE_LEVEL_ERROR, "NdisMRegisterMiniportDriver failed %08x\\n", status);
          }
          return status;
      }
    `),
    '',
    ...callback(x, CB6, 'setOptions', 'E1kSetOptions', { tail: ['return NDIS_STATUS_SUCCESS;'] }),
    ...callback(x, CB6, 'unload', 'E1kUnload', { body: ['NdisMDeregisterMiniportDriver(E1kDriverHandle);'] }),
  ];
  handFile(x, 'driver.c', 'DriverEntry: registers the miniport callbacks with NDIS.', drv, 'cfg', 0, {
    top: ['DRIVER_INITIALIZE DriverEntry;', ''],
  });

  // ---- pause.c
  handFile(
    x,
    'pause.c',
    'MiniportPause and MiniportRestart.',
    [
      ...callback(x, CB6, 'pause', 'E1kPause', {
        body: ['adapter->Paused = TRUE;', 'E1K_WRITE_REG(adapter, E1K_REG_RCTL, 0);'],
        calls: pickFillers(x, 2, /tx|rx/),
      }),
      ...callback(x, CB6, 'restart', 'E1kRestart', {
        body: ['adapter->Paused = FALSE;'],
        calls: pickFillers(x, 3, /rx|filter|rss/),
      }),
    ],
    'ring',
    300,
  );

  // ---- oid.c, oid_query.c, oid_set.c
  const oidReq = sb.switch('NdisRequest->RequestType', [
    [
      ['NdisRequestQueryInformation', 'NdisRequestQueryStatistics'],
      ['status = E1kQueryInformation(adapter, NdisRequest);', 'break;'],
    ],
    [['NdisRequestSetInformation'], ['status = E1kSetInformation(adapter, NdisRequest);', 'break;']],
    [['default'], ['status = NDIS_STATUS_NOT_SUPPORTED;', 'break;']],
  ]);
  handFile(
    x,
    'oid.c',
    'MiniportOidRequest: dispatches to the query and set handlers.',
    [
      ...callback(x, CB6, 'oidRequest', 'E1kOidRequest', { uses: ['NdisRequest'], body: oidReq }),
      ...callback(x, CB6, 'cancelOid', 'E1kCancelOidRequest', {}),
    ],
    'oid',
    600,
  );
  handFile(x, 'oid_query.c', 'Query OIDs.', oidDispatch6(x, 'E1kQueryInformation', false), 'oid', 2300);
  handFile(x, 'oid_set.c', 'Set OIDs.', oidDispatch6(x, 'E1kSetInformation', true), 'oid', 1600);

  // ---- send.c, recv.c
  const sendBody = [
    ...sb.block('for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))', [
      ...sb.ifElse(
        'adapter->Paused',
        ['NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_PAUSED;'],
        ['NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;', 'adapter->TxFramesOk++;'],
      ),
    ]),
    ...sb.if('adapter->Paused', [
      'NdisMSendNetBufferListsComplete(adapter->AdapterHandle, NetBufferLists, NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags) ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);',
      'return;',
    ]),
  ];
  handFile(
    x,
    'send.c',
    'MiniportSendNetBufferLists and MiniportCancelSend.',
    [
      ...callback(x, CB6, 'send', 'E1kSendNetBufferLists', {
        uses: ['NetBufferLists', 'SendFlags'],
        locals: ['PNET_BUFFER_LIST nbl;'],
        body: sendBody,
        calls: pickFillers(x, 3, /tx_/),
      }),
      ...callback(x, CB6, 'cancelSend', 'E1kCancelSend', { calls: pickFillers(x, 1, /tx_/, ['v']) }),
    ],
    'tx',
    900,
  );
  handFile(
    x,
    'recv.c',
    'MiniportReturnNetBufferLists and receive indication.',
    [
      ...callback(x, CB6, 'returnNbl', 'E1kReturnNetBufferLists', {
        uses: ['NetBufferLists'],
        locals: ['PNET_BUFFER_LIST nbl;'],
        body: sb.block('for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))', [
          'adapter->RxFramesOk++;',
        ]),
        calls: pickFillers(x, 2, /rx_/),
      }),
    ],
    'rx',
    1000,
  );

  // ---- interrupt.c
  handFile(
    x,
    'interrupt.c',
    'Line-based interrupt service routine and DPC.',
    [
      ...callback(x, CB6, 'isr', 'E1kIsr', {
        uses: ['QueueDefaultInterruptDpc', 'TargetProcessors'],
        locals: ['ULONG cause;'],
        body: [
          'cause = E1K_READ_REG(adapter, E1K_REG_ICR);',
          ...sb.if('cause == 0 || cause == 0xFFFFFFFF', ['return FALSE;']),
          'adapter->InterruptCount++;',
          '*QueueDefaultInterruptDpc = TRUE;',
          '*TargetProcessors = 0;',
          'result = TRUE;',
        ],
      }),
      ...callback(x, CB6, 'dpc', 'E1kInterruptDpc', {
        body: ['adapter->DpcCount++;'],
        calls: pickFillers(x, 4, /rx_|tx_complete|intr/),
      }),
      ...callback(x, CB6, 'enableIntr', 'E1kEnableInterrupt', { body: ['E1kHwEnableInterrupts(adapter);'] }),
      ...callback(x, CB6, 'disableIntr', 'E1kDisableInterrupt', { body: ['E1kHwDisableInterrupts(adapter);'] }),
    ],
    'intr',
    500,
  );

  // ---- timer.c
  const timer = [
    ...code(`
      static BOOLEAN
      E1kCheckHang(_In_ PE1K_ADAPTER Adapter)
      {
          if (Adapter->Flash == NULL) {
              return TRUE;
          }
          if (E1K_READ_REG(Adapter, E1K_REG_STATUS) == 0xFFFFFFFF) {
              Adapter->SurpriseRemoved = TRUE;
              return FALSE;
          }
          return (BOOLEAN)(READ_REGISTER_ULONG((PULONG)Adapter->Flash) == 0xFFFFFFFF);
      }

      /*++

      Routine Description:

          Watchdog: runs every two seconds at DISPATCH_LEVEL, refreshes the
          statistics and recovers the flash window when it stops answering.

      --*/
      _Use_decl_annotations_
      VOID
      E1kWatchdogTimer(
          PVOID SystemSpecific1,
          PVOID FunctionContext,
          PVOID SystemSpecific2,
          PVOID SystemSpecific3)
      {
          PE1K_ADAPTER adapter = (PE1K_ADAPTER)FunctionContext;
          LARGE_INTEGER due;

          UNREFERENCED_PARAMETER(SystemSpecific1);
          UNREFERENCED_PARAMETER(SystemSpecific2);
          UNREFERENCED_PARAMETER(SystemSpecific3);

          adapter->WatchdogRuns++;
    `),
    ...indent(fillerCalls(x, pickFillers(x, 2, /stats/, ['v', 'vu']), 'adapter', false)),
    ...code(`
          if (E1kCheckHang(adapter)) {
              E1kTrace(TRACE_LEVEL_WARNING, "watchdog: flash window unreadable, recovering\\n");
              E1kRecoverAdapter(adapter);
          }
          due.QuadPart = -20000000LL;
          NdisSetTimerObject(adapter->WatchdogTimer, due, 0, NULL);
      }
    `),
    '',
  ];
  handFile(x, 'timer.c', 'The watchdog timer.', timer, 'stats', 400);

  // ---- reset.c
  const reset = [
    ...code(`
      /*++

      Routine Description:

          Brings the adapter back after the flash window stopped answering:
          drops the stale mapping, maps the window again and resets the chip.

      --*/
      VOID
      E1kRecoverAdapter(_In_ PE1K_ADAPTER Adapter)
      {
          NDIS_STATUS status;

          NdisDprAcquireSpinLock(&Adapter->Lock);
          Adapter->InReset = TRUE;
          NdisDprReleaseSpinLock(&Adapter->Lock);

          E1kHwUnmapFlash(Adapter);
          status = NdisMMapIoSpace((PVOID *)&Adapter->Flash,${V2}
                                   Adapter->AdapterHandle,
                                   Adapter->FlashPa,
                                   E1K_FLASH_LENGTH);
          if (status != NDIS_STATUS_SUCCESS) {
              Adapter->Flash = NULL;
              Adapter->HardwareErrors++;
          } else {
              (VOID)E1kHwReset(Adapter);
          }
          Adapter->InReset = FALSE;
      }
    `),
    '',
    ...callback(x, CB6, 'reset', 'E1kResetEx', {
      uses: ['AddressingReset'],
      body: [
        '*AddressingReset = FALSE;',
        'adapter->InReset = TRUE;',
        'status = E1kHwReset(adapter);',
        'adapter->InReset = FALSE;',
      ],
      calls: pickFillers(x, 2, /mac|filter/, ['v', 'vu']),
    }),
    ...callback(x, CB6, 'checkForHang', 'E1kCheckForHangEx', {
      body: [
        ...sb.if('adapter->SurpriseRemoved', ['return FALSE;']),
        'result = (BOOLEAN)(E1K_READ_REG(adapter, E1K_REG_STATUS) == 0xFFFFFFFF);',
      ],
    }),
  ];
  handFile(x, 'reset.c', 'MiniportResetEx, MiniportCheckForHangEx and adapter recovery.', reset, 'diag', 350);

  // ---- power.c
  handFile(
    x,
    'power.c',
    'PnP event notifications and power management.',
    [
      ...callback(x, CB6, 'pnp', 'E1kDevicePnPEventNotify', {
        uses: ['NetDevicePnPEvent'],
        body: sb.switch('NetDevicePnPEvent->DevicePnPEvent', [
          [['NdisDevicePnPEventSurpriseRemoved'], ['adapter->SurpriseRemoved = TRUE;', 'break;']],
          [['NdisDevicePnPEventPowerProfileChanged'], ['break;']],
          [['default'], ['break;']],
        ]),
      }),
    ],
    'power',
    800,
  );

  regsHeader(x);
  hwHeader(x, []);
  mainHeader(x, {
    consts: [
      ['E1K_CSR_LENGTH', '0x20000'],
      ['E1K_FLASH_LENGTH', '0x1000'],
      ['E1K_DEFAULT_RING_SIZE', '256'],
      ['E1K_DEFAULT_RX_BUFFER_SIZE', '2048'],
      ['E1K_NDIS_MAJOR_VERSION', '6'],
      ['E1K_NDIS_MINOR_VERSION', '30'],
    ],
    members: [
      'NDIS_HANDLE AdapterHandle;',
      'NDIS_HANDLE InterruptHandle;',
      'NDIS_HANDLE WatchdogTimer;',
      'PUCHAR Csr;',
      'PUCHAR Flash;',
      'NDIS_PHYSICAL_ADDRESS CsrPa;',
      'NDIS_PHYSICAL_ADDRESS FlashPa;',
    ],
    roles: [
      ['MINIPORT_SET_OPTIONS', 'E1kSetOptions'],
      ['MINIPORT_INITIALIZE', 'E1kInitializeEx'],
      ['MINIPORT_HALT', 'E1kHaltEx'],
      ['MINIPORT_UNLOAD', 'E1kUnload'],
      ['MINIPORT_PAUSE', 'E1kPause'],
      ['MINIPORT_RESTART', 'E1kRestart'],
      ['MINIPORT_OID_REQUEST', 'E1kOidRequest'],
      ['MINIPORT_CANCEL_OID_REQUEST', 'E1kCancelOidRequest'],
      ['MINIPORT_SEND_NET_BUFFER_LISTS', 'E1kSendNetBufferLists'],
      ['MINIPORT_CANCEL_SEND', 'E1kCancelSend'],
      ['MINIPORT_RETURN_NET_BUFFER_LISTS', 'E1kReturnNetBufferLists'],
      ['MINIPORT_CHECK_FOR_HANG', 'E1kCheckForHangEx'],
      ['MINIPORT_RESET', 'E1kResetEx'],
      ['MINIPORT_DEVICE_PNP_EVENT_NOTIFY', 'E1kDevicePnPEventNotify'],
      ['MINIPORT_SHUTDOWN', 'E1kShutdownEx'],
      ['MINIPORT_ISR', 'E1kIsr'],
      ['MINIPORT_INTERRUPT_DPC', 'E1kInterruptDpc'],
      ['MINIPORT_ENABLE_INTERRUPT', 'E1kEnableInterrupt'],
      ['MINIPORT_DISABLE_INTERRUPT', 'E1kDisableInterrupt'],
      ['NDIS_TIMER_FUNCTION', 'E1kWatchdogTimer'],
    ],
    globals: ['extern NDIS_HANDLE E1kDriverHandle;'],
    protos: [
      ...safeProtos(x),
      'NDIS_STATUS E1kHwMapFlash(_In_ PE1K_ADAPTER Adapter);',
      'VOID E1kHwUnmapFlash(_In_ PE1K_ADAPTER Adapter);',
      'NDIS_STATUS E1kHwReset(_In_ PE1K_ADAPTER Adapter);',
      'VOID E1kHwStop(_In_ PE1K_ADAPTER Adapter);',
      'NDIS_STATUS E1kAllocateRings(_In_ PE1K_ADAPTER Adapter);',
      'VOID E1kFreeRings(_In_ PE1K_ADAPTER Adapter);',
      '_IRQL_requires_(DISPATCH_LEVEL)',
      'VOID E1kRecoverAdapter(_In_ PE1K_ADAPTER Adapter);',
      'NDIS_STATUS E1kQueryInformation(_In_ PE1K_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST Request);',
      'NDIS_STATUS E1kSetInformation(_In_ PE1K_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST Request);',
      '',
    ],
  });
  smallFiles(x);
  protoHeader(x);
  return x.files;
}

// ================================================================== vmq

function buildVmq(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'drivers/vmq',
    short: 'vmq',
    P: 'Vmq',
    U: 'VMQ',
    ndis5: false,
    style: 'allman',
    doc: 'banner',
    elseRate: 0.3,
    handle: 'AdapterHandle',
    base: 'Bar0',
    vendor: 'Fabrikam Datacenter Networking \u00a9',
  });
  const sb = x.sb;
  reserve(
    x,
    'VmqInitializeEx',
    'VmqHaltEx',
    'VmqHwMapBars',
    'VmqHwUnmapBars',
    'VmqHwShutdown',
    'VmqHwInitQueues',
    'VmqQueryInformation',
    'VmqSetInformation',
    'VmqQueueWorkItem',
    'VmqDriverHandle',
  );
  const safe = safeHelpers(x);

  fillAll(x, [
    ['vmq_vport.c', 'vmq', 1200],
    ['vmq_queue.c', 'vmq', 1100],
    ['vmq_filter.c', 'filter', 900],
    ['vmq_sriov.c', 'vmq', 1000, 'VMQ_SRIOV_V2'],
    ['vmq_mailbox.c', 'vmq', 800],
    ['vmq_rss.c', 'rss', 900],
    ['vmq_tx.c', 'tx', 1300],
    ['vmq_tx_lso.c', 'lso', 700],
    ['vmq_rx.c', 'rx', 1300],
    ['vmq_rx_split.c', 'rx', 600],
    ['vmq_stats.c', 'stats', 2400],
    ['vmq_stats_vport.c', 'stats', 1000],
    ['vmq_oid_vmq.c', 'oid', 1300],
    ['vmq_oid_rss.c', 'oid', 800],
    ['vmq_oid_offload.c', 'oid', 900],
    ['vmq_csum.c', 'csum', 550],
    ['vmq_intr_mod.c', 'intr', 500],
    ['vmq_phy.c', 'phy', 900],
    ['vmq_nvm.c', 'nvm', 650],
    ['vmq_power.c', 'power', 700],
    ['vmq_cfg.c', 'cfg', 900],
    ['vmq_diag.c', 'diag', 800],
    ['vmq_dma.c', 'dma', 650],
    ['vmq_vlan.c', 'vlan', 450],
    ['vmq_ring.c', 'ring', 700],
    ['vmq_mac.c', 'mac', 650],
    ['vmq_dbg.c', 'diag', 500],
  ]);

  const V3 = expect(
    'ndis/unmap-in-halt',
    'vmq: the MSI-X table mapped by VmqHwMapBars is never unmapped by VmqHaltEx (VmqHwShutdown forgets it)',
  );
  const V4 = expect(
    'ndis/unmap-length',
    'vmq: VmqHwShutdown unmaps the doorbell with VMQ_DOORBELL_PAGE (0x1000), but VMQ_DOORBELL_LENGTH (0x2000) was mapped',
  );

  // ---- vmq_hw.c
  const hw = [
    ...safe,
    ...code(`
      //
      // VmqHwMapBars
      //
      // Maps BAR 0 (registers), the doorbell pages and, when the function
      // exposes MSI-X, the vector table. On failure nothing stays mapped.
      //
      NDIS_STATUS
      VmqHwMapBars(
          _In_ PVMQ_ADAPTER Adapter
          )
      {
          NDIS_STATUS status;

          status = NdisMMapIoSpace(&Adapter->Bar0,
                                   Adapter->AdapterHandle,
                                   Adapter->Bar0Pa,
                                   VMQ_BAR0_LENGTH);
          if (status != NDIS_STATUS_SUCCESS)
          {
              return status;
          }

          status = NdisMMapIoSpace(&Adapter->Doorbell,
                                   Adapter->AdapterHandle,
                                   Adapter->DoorbellPa,
                                   VMQ_DOORBELL_LENGTH);
          if (status != NDIS_STATUS_SUCCESS)
          {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bar0, VMQ_BAR0_LENGTH);
              Adapter->Bar0 = NULL;
              return status;
          }

          if (Adapter->MsixSupported)
          {
              status = NdisMMapIoSpace(&Adapter->MsixTable,${V3}
                                       Adapter->AdapterHandle,
                                       Adapter->MsixTablePa,
                                       VMQ_MSIX_TABLE_LENGTH);
              if (status != NDIS_STATUS_SUCCESS)
              {
                  NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Doorbell, VMQ_DOORBELL_LENGTH);
                  Adapter->Doorbell = NULL;
                  NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bar0, VMQ_BAR0_LENGTH);
                  Adapter->Bar0 = NULL;
                  return status;
              }
          }
          return NDIS_STATUS_SUCCESS;
      }

      //
      // VmqHwUnmapBars
      //
      // Releases whatever VmqHwMapBars left mapped; used on the failure
      // paths of initialize.
      //
      VOID
      VmqHwUnmapBars(
          _In_ PVMQ_ADAPTER Adapter
          )
      {
          if (Adapter->MsixTable != NULL)
          {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->MsixTable, VMQ_MSIX_TABLE_LENGTH);
              Adapter->MsixTable = NULL;
          }
          if (Adapter->Doorbell != NULL)
          {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Doorbell, VMQ_DOORBELL_LENGTH);
              Adapter->Doorbell = NULL;
          }
          if (Adapter->Bar0 != NULL)
          {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bar0, VMQ_BAR0_LENGTH);
              Adapter->Bar0 = NULL;
          }
      }

      //
      // VmqHwShutdown
      //
      // Quiesces the queues and releases the register windows at halt.
      //
      VOID
      VmqHwShutdown(
          _In_ PVMQ_ADAPTER Adapter
          )
      {
          VMQ_WRITE_REG(Adapter, VMQ_REG_IMC, 0xFFFFFFFF);
          VMQ_WRITE_REG(Adapter, VMQ_REG_RCTL, 0);
          VMQ_WRITE_REG(Adapter, VMQ_REG_TCTL, 0);
          VMQ_FLUSH(Adapter);

          if (Adapter->Doorbell != NULL)
          {
              NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Doorbell, VMQ_DOORBELL_PAGE);${V4}
              Adapter->Doorbell = NULL;
          }
          NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bar0, VMQ_BAR0_LENGTH);
          Adapter->Bar0 = NULL;
      }

      NDIS_STATUS
      VmqHwInitQueues(
          _In_ PVMQ_ADAPTER Adapter,
          _In_ ULONG Value
          )
      {
          ULONG q;

          for (q = 0; q < Value && q < VMQ_MAX_QUEUES; q++)
          {
              WRITE_REGISTER_ULONG((PULONG)((PUCHAR)Adapter->Doorbell + q * 8), 0);
              Adapter->TxRing[q].Head = 0;
              Adapter->TxRing[q].Tail = 0;
              Adapter->RxRing[q].Head = 0;
              Adapter->RxRing[q].Tail = 0;
          }
          if (VMQ_READ_REG(Adapter, VMQ_REG_STATUS) == 0xFFFFFFFF)
          {
              return NDIS_STATUS_ADAPTER_NOT_FOUND;
          }
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
  ];
  handFile(x, 'vmq_hw.c', 'Register windows (BAR 0, doorbells, MSI-X table) and queue bring-up.', hw, 'ring', 450);

  // ---- vmq_init.c
  const init = [
    ...code(`
      static NDIS_STATUS
      VmqSetAttributes(
          _In_ PVMQ_ADAPTER Adapter
          )
      {
          NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES attr;

          NdisZeroMemory(&attr, sizeof(attr));
          attr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
          attr.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
          attr.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
          attr.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
          attr.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
          attr.CheckForHangTimeInSeconds = 2;
          attr.InterfaceType = NdisInterfacePci;
          return NdisMSetMiniportAttributes(Adapter->AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&attr);
      }

      static NDIS_STATUS
      VmqParseResources(
          _In_ PVMQ_ADAPTER Adapter,
          _In_opt_ PNDIS_RESOURCE_LIST Resources
          )
      {
          ULONG i;
          ULONG bar = 0;

          if (Resources == NULL)
          {
              return NDIS_STATUS_RESOURCES;
          }
          for (i = 0; i < Resources->Count; i++)
          {
              PCM_PARTIAL_RESOURCE_DESCRIPTOR desc = &Resources->PartialDescriptors[i];

              switch (desc->Type)
              {
              case CmResourceTypeMemory:
                  if (bar == 0)
                  {
                      Adapter->Bar0Pa = desc->u.Memory.Start;
                  }
                  else if (bar == 1)
                  {
                      Adapter->DoorbellPa = desc->u.Memory.Start;
                  }
                  else
                  {
                      Adapter->MsixTablePa = desc->u.Memory.Start;
                      Adapter->MsixSupported = TRUE;
                  }
                  bar++;
                  break;
              case CmResourceTypeInterrupt:
                  Adapter->InterruptCount = 0;
                  break;
              default:
                  break;
              }
          }
          return bar >= 2 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
      }

      static VOID
      VmqFreeAdapter(
          _In_ PVMQ_ADAPTER Adapter
          )
      {
          if (Adapter->WorkItem != NULL)
          {
              NdisFreeIoWorkItem(Adapter->WorkItem);
              Adapter->WorkItem = NULL;
          }
          VmqHwUnmapBars(Adapter);
          NdisFreeSpinLock(&Adapter->Lock);
          NdisFreeMemory(Adapter, 0, 0);
      }

      //
      // VmqInitializeEx
      //
      // MiniportInitializeEx. One exit: every failure breaks out of the
      // do/while and VmqFreeAdapter releases whatever was acquired.
      //
      _Use_decl_annotations_
      NDIS_STATUS
      VmqInitializeEx(
          NDIS_HANDLE MiniportAdapterHandle,
          NDIS_HANDLE MiniportDriverContext,
          PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters
          )
      {
          NDIS_STATUS status = NDIS_STATUS_SUCCESS;
          PVMQ_ADAPTER adapter = NULL;
          NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS intr;

          UNREFERENCED_PARAMETER(MiniportDriverContext);

          do
          {
              adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
                                                          sizeof(VMQ_ADAPTER),
                                                          VMQ_POOL_TAG,
                                                          NormalPoolPriority);
              if (adapter == NULL)
              {
                  status = NDIS_STATUS_RESOURCES;
                  break;
              }
              NdisZeroMemory(adapter, sizeof(VMQ_ADAPTER));
              adapter->AdapterHandle = MiniportAdapterHandle;
              NdisAllocateSpinLock(&adapter->Lock);

              status = VmqSetAttributes(adapter);
              if (status != NDIS_STATUS_SUCCESS)
              {
                  break;
              }

              status = VmqParseResources(adapter, MiniportInitParameters->AllocatedResources);
              if (status != NDIS_STATUS_SUCCESS)
              {
                  break;
              }

              status = VmqHwMapBars(adapter);
              if (status != NDIS_STATUS_SUCCESS)
              {
                  VmqTrace(TRACE_LEVEL_ERROR, "VmqHwMapBars failed %08x\\n", status);
                  break;
              }

              status = VmqHwInitQueues(adapter, VMQ_MAX_QUEUES);
              if (status != NDIS_STATUS_SUCCESS)
              {
                  break;
              }
    `),
    ...indent(fillerCalls(x, pickFillers(x, 3, /vport|queue|cfg/, ['v', 'vu']), 'adapter', false), 2),
    ...code(`
              adapter->WorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
              if (adapter->WorkItem == NULL)
              {
                  status = NDIS_STATUS_RESOURCES;
                  break;
              }

              NdisZeroMemory(&intr, sizeof(intr));
              intr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
              intr.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
              intr.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
              intr.MsiSupported = TRUE;
              intr.MessageInterruptHandler = VmqMsiIsr;
              intr.MessageInterruptDpcHandler = VmqMsiDpc;
              intr.DisableMessageInterruptHandler = VmqMsiDisable;
              intr.EnableMessageInterruptHandler = VmqMsiEnable;
              status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &intr, &adapter->InterruptHandle);
          } while (FALSE);

          if (status != NDIS_STATUS_SUCCESS)
          {
              if (adapter != NULL)
              {
                  VmqFreeAdapter(adapter);
              }
          }
          return status;
      }
    `),
    '',
  ];
  handFile(
    x,
    'vmq_init.c',
    'MiniportInitializeEx: resources, register windows, queues and interrupts.',
    init,
    'cfg',
    0,
  );

  // ---- vmq_halt.c
  const halt = [
    ...code(`
      //
      // VmqHaltEx
      //
      // MiniportHaltEx: tears down interrupts and queues, then the windows.
      //
      _Use_decl_annotations_
      VOID
      VmqHaltEx(
          NDIS_HANDLE MiniportAdapterContext,
          NDIS_HALT_ACTION HaltAction
          )
      {
          PVMQ_ADAPTER adapter = (PVMQ_ADAPTER)MiniportAdapterContext;

          UNREFERENCED_PARAMETER(HaltAction);
          VmqTrace(TRACE_LEVEL_INFORMATION, "--> VmqHaltEx\\n");

          NdisMDeregisterInterruptEx(adapter->InterruptHandle);
          if (adapter->WorkItem != NULL)
          {
              NdisFreeIoWorkItem(adapter->WorkItem);
              adapter->WorkItem = NULL;
          }
    `),
    ...indent(fillerCalls(x, pickFillers(x, 3, /vport|queue|sriov/, ['v']), 'adapter', false)),
    ...code(`
          VmqHwShutdown(adapter);
          NdisFreeSpinLock(&adapter->Lock);
          NdisFreeMemory(adapter, 0, 0);
      }
    `),
    '',
    ...callback(x, CB6, 'shutdown', 'VmqShutdownEx', { body: ['VMQ_WRITE_REG(adapter, VMQ_REG_CTRL, 0);'] }),
  ];
  handFile(x, 'vmq_halt.c', 'MiniportHaltEx and MiniportShutdownEx.', halt, 'vmq', 300);

  // ---- vmq_main.c
  const main = [
    'NDIS_HANDLE VmqDriverHandle = NULL;',
    '',
    ...code(`
      _Use_decl_annotations_
      NTSTATUS
      DriverEntry(
          PDRIVER_OBJECT DriverObject,
          PUNICODE_STRING RegistryPath
          )
      {
          NDIS_STATUS status;
          NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars =
          {
              .Header =
              {
                  .Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS,
                  .Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
                  .Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
              },
              .MajorNdisVersion = VMQ_NDIS_MAJOR_VERSION,
              .MinorNdisVersion = VMQ_NDIS_MINOR_VERSION,
              .MajorDriverVersion = 3,
              .MinorDriverVersion = 14,
              .SetOptionsHandler = VmqSetOptions,
              .InitializeHandlerEx = VmqInitializeEx,
              .HaltHandlerEx = VmqHaltEx,
              .UnloadHandler = VmqUnload,
              .PauseHandler = VmqPause,
              .RestartHandler = VmqRestart,
              .OidRequestHandler = VmqOidRequest,
              .CancelOidRequestHandler = VmqCancelOidRequest,
              .SendNetBufferListsHandler = VmqSendNetBufferLists,
              .CancelSendHandler = VmqCancelSend,
              .ReturnNetBufferListsHandler = VmqReturnNetBufferLists,
              .CheckForHangHandlerEx = VmqCheckForHangEx,
              .ResetHandlerEx = VmqResetEx,
              .DevicePnPEventNotifyHandler = VmqDevicePnPEventNotify,
              .ShutdownHandlerEx = VmqShutdownEx,
          };

          VmqTrace(TRACE_LEVEL_INFORMATION, "--> DriverEntry\\n");
          status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &VmqDriverHandle);
          if (status != NDIS_STATUS_SUCCESS)
          {
              VmqTrace(TRACE_LEVEL_ERROR, "NdisMRegisterMiniportDriver failed %08x\\n", status);
          }
          return status;
      }
    `),
    '',
    ...callback(x, CB6, 'setOptions', 'VmqSetOptions', { tail: ['return NDIS_STATUS_SUCCESS;'] }),
    ...callback(x, CB6, 'unload', 'VmqUnload', { body: ['NdisMDeregisterMiniportDriver(VmqDriverHandle);'] }),
  ];
  handFile(x, 'vmq_main.c', 'DriverEntry: registers the miniport with a designated initializer.', main, 'cfg', 0, {
    top: ['DRIVER_INITIALIZE DriverEntry;', ''],
  });

  // ---- callbacks
  handFile(
    x,
    'vmq_pause.c',
    'MiniportPause and MiniportRestart.',
    [
      ...callback(x, CB6, 'pause', 'VmqPause', {
        body: ['adapter->Paused = TRUE;'],
        calls: pickFillers(x, 3, /vport|queue/),
      }),
      ...callback(x, CB6, 'restart', 'VmqRestart', {
        body: ['adapter->Paused = FALSE;', 'status = VmqHwInitQueues(adapter, VMQ_MAX_QUEUES);'],
        calls: pickFillers(x, 2, /rss|filter/),
      }),
    ],
    'vmq',
    400,
  );
  const oidReq = [
    ...sb.switch('NdisRequest->RequestType', [
      [
        ['NdisRequestQueryInformation', 'NdisRequestQueryStatistics'],
        ['status = VmqQueryInformation(adapter, NdisRequest);', 'break;'],
      ],
      [['NdisRequestSetInformation'], ['status = VmqSetInformation(adapter, NdisRequest);', 'break;']],
      [['default'], ['status = NDIS_STATUS_NOT_SUPPORTED;', 'break;']],
    ]),
    ...sb.if('status == NDIS_STATUS_SUCCESS && NdisRequest->RequestType == NdisRequestSetInformation', [
      '// Queue reconfiguration runs at PASSIVE_LEVEL in a work item.',
      'NdisQueueIoWorkItem(adapter->WorkItem, VmqQueueWorkItem, adapter);',
    ]),
  ];
  handFile(
    x,
    'vmq_oid.c',
    'MiniportOidRequest dispatch.',
    [
      ...callback(x, CB6, 'oidRequest', 'VmqOidRequest', { uses: ['NdisRequest'], body: oidReq }),
      ...callback(x, CB6, 'cancelOid', 'VmqCancelOidRequest', {}),
    ],
    'oid',
    500,
  );
  handFile(x, 'vmq_oid_query.c', 'Query OIDs.', oidDispatch6(x, 'VmqQueryInformation', false), 'oid', 1800);
  handFile(x, 'vmq_oid_set.c', 'Set OIDs.', oidDispatch6(x, 'VmqSetInformation', true), 'oid', 1500);
  handFile(
    x,
    'vmq_work.c',
    'Work item: queue reconfiguration at PASSIVE_LEVEL.',
    [...callback(x, CB6, 'workItem', 'VmqQueueWorkItem', { calls: pickFillers(x, 4, /vport|queue|sriov|mailbox/) })],
    'vmq',
    600,
  );
  handFile(
    x,
    'vmq_send.c',
    'MiniportSendNetBufferLists and MiniportCancelSend.',
    [
      ...callback(x, CB6, 'send', 'VmqSendNetBufferLists', {
        uses: ['NetBufferLists', 'SendFlags'],
        locals: ['PNET_BUFFER_LIST nbl;'],
        body: [
          ...sb.block('for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))', [
            'NET_BUFFER_LIST_STATUS(nbl) = adapter->Paused ? NDIS_STATUS_PAUSED : NDIS_STATUS_SUCCESS;',
          ]),
          ...sb.if('adapter->Paused', [
            'NdisMSendNetBufferListsComplete(adapter->AdapterHandle, NetBufferLists, NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags) ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);',
            'return;',
          ]),
        ],
        calls: pickFillers(x, 3, /vmq_tx/),
      }),
      ...callback(x, CB6, 'cancelSend', 'VmqCancelSend', {}),
    ],
    'tx',
    800,
  );
  handFile(
    x,
    'vmq_recv.c',
    'MiniportReturnNetBufferLists.',
    [...callback(x, CB6, 'returnNbl', 'VmqReturnNetBufferLists', { calls: pickFillers(x, 2, /vmq_rx/) })],
    'rx',
    700,
  );
  handFile(
    x,
    'vmq_intr.c',
    'MSI-X interrupt service routine and DPC.',
    [
      ...callback(x, CB6, 'msiIsr', 'VmqMsiIsr', {
        uses: ['MessageId', 'QueueDefaultInterruptDpc', 'TargetProcessors'],
        locals: ['ULONG cause;'],
        body: [
          'cause = VMQ_READ_REG(adapter, VMQ_REG_ICR);',
          ...sb.if('cause == 0', ['return FALSE;']),
          'adapter->InterruptCount++;',
          '*QueueDefaultInterruptDpc = TRUE;',
          '*TargetProcessors = 1UL << (MessageId % 32);',
          'result = TRUE;',
        ],
      }),
      ...callback(x, CB6, 'msiDpc', 'VmqMsiDpc', {
        body: ['adapter->DpcCount++;'],
        calls: pickFillers(x, 4, /vmq_rx|vmq_tx|intr/),
      }),
      ...callback(x, CB6, 'msiEnable', 'VmqMsiEnable', {
        uses: ['MessageId'],
        body: ['VMQ_WRITE_REG(adapter, VMQ_REG_IMS, 1UL << (MessageId % 32));'],
      }),
      ...callback(x, CB6, 'msiDisable', 'VmqMsiDisable', {
        uses: ['MessageId'],
        body: ['VMQ_WRITE_REG(adapter, VMQ_REG_IMC, 1UL << (MessageId % 32));'],
      }),
    ],
    'intr',
    450,
  );
  handFile(
    x,
    'vmq_reset.c',
    'MiniportResetEx and MiniportCheckForHangEx.',
    [
      ...callback(x, CB6, 'reset', 'VmqResetEx', {
        uses: ['AddressingReset'],
        body: ['*AddressingReset = FALSE;', 'adapter->ResetCount++;'],
        calls: pickFillers(x, 2, /queue|vport/, ['v', 'vu']),
      }),
      ...callback(x, CB6, 'checkForHang', 'VmqCheckForHangEx', {
        body: ['result = (BOOLEAN)(VMQ_READ_REG(adapter, VMQ_REG_STATUS) == 0xFFFFFFFF);'],
        calls: pickFillers(x, 1, /stats/, ['v']),
      }),
    ],
    'diag',
    400,
  );
  handFile(
    x,
    'vmq_pnp.c',
    'PnP event notifications.',
    [
      ...callback(x, CB6, 'pnp', 'VmqDevicePnPEventNotify', {
        uses: ['NetDevicePnPEvent'],
        body: sb.switch('NetDevicePnPEvent->DevicePnPEvent', [
          [['NdisDevicePnPEventSurpriseRemoved'], ['adapter->SurpriseRemoved = TRUE;', 'break;']],
          [['default'], ['break;']],
        ]),
      }),
    ],
    'power',
    500,
  );

  regsHeader(x);
  hwHeader(x, []);
  mainHeader(x, {
    consts: [
      ['VMQ_BAR0_LENGTH', '0x10000'],
      ['VMQ_DOORBELL_LENGTH', '0x2000'],
      ['VMQ_DOORBELL_PAGE', '0x1000'],
      ['VMQ_MSIX_TABLE_LENGTH', '0x800'],
      ['VMQ_NDIS_MAJOR_VERSION', '6'],
      ['VMQ_NDIS_MINOR_VERSION', '60'],
    ],
    members: [
      'NDIS_HANDLE AdapterHandle;',
      'NDIS_HANDLE InterruptHandle;',
      'NDIS_HANDLE WorkItem;',
      'PVOID Bar0;',
      'PVOID Doorbell;',
      'PVOID MsixTable;',
      'NDIS_PHYSICAL_ADDRESS Bar0Pa;',
      'NDIS_PHYSICAL_ADDRESS DoorbellPa;',
      'NDIS_PHYSICAL_ADDRESS MsixTablePa;',
      'BOOLEAN MsixSupported;',
    ],
    roles: [
      ['MINIPORT_INITIALIZE', 'VmqInitializeEx'],
      ['MINIPORT_HALT', 'VmqHaltEx'],
      ['MINIPORT_SHUTDOWN', 'VmqShutdownEx'],
      ['MINIPORT_MESSAGE_INTERRUPT', 'VmqMsiIsr'],
      ['MINIPORT_MESSAGE_INTERRUPT_DPC', 'VmqMsiDpc'],
      ['MINIPORT_ENABLE_MESSAGE_INTERRUPT', 'VmqMsiEnable'],
      ['MINIPORT_DISABLE_MESSAGE_INTERRUPT', 'VmqMsiDisable'],
      ['NDIS_IO_WORKITEM_FUNCTION', 'VmqQueueWorkItem'],
    ],
    globals: ['extern NDIS_HANDLE VmqDriverHandle;'],
    protos: [
      ...safeProtos(x),
      'NDIS_STATUS VmqHwMapBars(_In_ PVMQ_ADAPTER Adapter);',
      'VOID VmqHwUnmapBars(_In_ PVMQ_ADAPTER Adapter);',
      'VOID VmqHwShutdown(_In_ PVMQ_ADAPTER Adapter);',
      'NDIS_STATUS VmqHwInitQueues(_In_ PVMQ_ADAPTER Adapter, _In_ ULONG Value);',
      'NDIS_STATUS VmqQueryInformation(_In_ PVMQ_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST Request);',
      'NDIS_STATUS VmqSetInformation(_In_ PVMQ_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST Request);',
      '',
      'MINIPORT_SET_OPTIONS VmqSetOptions;',
      'MINIPORT_UNLOAD VmqUnload;',
      'MINIPORT_PAUSE VmqPause;',
      'MINIPORT_RESTART VmqRestart;',
      'MINIPORT_OID_REQUEST VmqOidRequest;',
      'MINIPORT_CANCEL_OID_REQUEST VmqCancelOidRequest;',
      'MINIPORT_SEND_NET_BUFFER_LISTS VmqSendNetBufferLists;',
      'MINIPORT_CANCEL_SEND VmqCancelSend;',
      'MINIPORT_RETURN_NET_BUFFER_LISTS VmqReturnNetBufferLists;',
      'MINIPORT_CHECK_FOR_HANG VmqCheckForHangEx;',
      'MINIPORT_RESET VmqResetEx;',
      'MINIPORT_DEVICE_PNP_EVENT_NOTIFY VmqDevicePnPEventNotify;',
      '',
    ],
  });
  smallFiles(x);
  protoHeader(x);
  return x.files;
}

// ================================================================== n100 (NDIS 5, CRLF, Latin-1)

function buildN100(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'drivers/n100',
    short: 'n100',
    P: 'N100',
    U: 'N100',
    ndis5: true,
    style: 'allman',
    doc: 'ms-above',
    elseRate: 0.3,
    handle: 'MiniportAdapterHandle',
    base: 'IoBase',
    vendor: 'Northwind Legacy Systems GmbH',
    crlf: true,
  });
  const sb = x.sb;
  reserve(
    x,
    'N100Initialize',
    'N100Halt',
    'N100HwAcquire',
    'N100HwRelease',
    'N100WrapperHandle',
    'N100LinkTimer',
    'N100QueryInformation',
    'N100SetInformation',
    'N100CheckForHang',
  );
  const safe = safeHelpers(x);

  fillAll(
    x,
    [
      ['n100_phy.c', 'phy', 1100],
      ['n100_eeprom.c', 'nvm', 700],
      ['n100_mac.c', 'mac', 750],
      ['n100_filter.c', 'filter', 650],
      ['n100_stats.c', 'stats', 1500],
      ['n100_tx.c', 'tx', 1200],
      ['n100_tx_coalesce.c', 'tx', 500],
      ['n100_rx.c', 'rx', 1100],
      ['n100_rx_lookahead.c', 'rx', 450],
      ['n100_dma.c', 'dma', 600],
      ['n100_diag.c', 'diag', 650],
      ['n100_csum.c', 'csum', 400],
      ['n100_intr_mod.c', 'intr', 350],
      ['n100_vlan.c', 'vlan', 350],
      ['n100_cfg.c', 'cfg', 800, 'NDIS51_MINIPORT'],
      ['n100_power.c', 'power', 600],
      ['n100_ring.c', 'ring', 500],
      ['n100_dbg.c', 'diag', 450],
      ['n100_oid_gen.c', 'oid', 900],
      ['n100_oid_802_3.c', 'oid', 700],
    ],
    { latin1: new Set(['n100_phy.c']) },
  );

  const V5 = expect(
    'ndis/mmap-context',
    'n100: N100CheckForHang (CheckForHangHandler) maps the SRAM window again through N100_MAP_SRAM in checked builds',
  );
  const V6 = expect(
    'ndis/unmap-on-failure',
    'n100: N100HwAcquire returns NDIS_STATUS_ADAPTER_NOT_FOUND with IoBase still mapped; N100Initialize only passes the failure on',
  );

  // ---- n100_hw.c (Latin-1 comments)
  const hw = [
    ...safe,
    ...code(`
      static BOOLEAN
      N100HwCheckSignature(
          IN PN100_ADAPTER Adapter
          )
      {
          // Die Signatur steht im ersten Doppelwort des I/O-Fensters.
          return (BOOLEAN)(READ_REGISTER_ULONG((PULONG)(Adapter->IoBase + N100_SIGNATURE_OFFSET)) == N100_SIGNATURE);
      }

      //
      // N100HwAcquire
      //
      // Blendet das I/O-Fenster und den SRAM ein und meldet den Interrupt an.
      // Die Signaturprüfung schlägt fehl, wenn die Karte im falschen Modus läuft.
      //
      NDIS_STATUS NTAPI
      N100HwAcquire(
          IN PN100_ADAPTER Adapter
          )
      {
          NDIS_STATUS Status;

          // I/O-Fenster einblenden (Größe laut Datenblatt, Kapitel 4)
          Status = NdisMMapIoSpace((PVOID *)&Adapter->IoBase,
                                   Adapter->MiniportAdapterHandle,
                                   Adapter->IoPhysical,
                                   N100_IO_WINDOW);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              return Status;
          }

          if (!N100HwCheckSignature(Adapter))
          {
              N100Trace(TRACE_LEVEL_ERROR, "N100: Signatur ungültig\\n");
              return NDIS_STATUS_ADAPTER_NOT_FOUND;${V6}
          }

          // SRAM für die Empfangspuffer
          Status = N100_MAP_SRAM(Adapter);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->IoBase, N100_IO_WINDOW);
              Adapter->IoBase = NULL;
              return Status;
          }

          Status = NdisMRegisterInterrupt(&Adapter->Interrupt,
                                          Adapter->MiniportAdapterHandle,
                                          Adapter->InterruptVector,
                                          Adapter->InterruptLevel,
                                          TRUE,
                                          TRUE,
                                          NdisInterruptLevelSensitive);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              N100HwRelease(Adapter);
              return Status;
          }
          return NDIS_STATUS_SUCCESS;
      }

      //
      // N100HwRelease
      //
      // Gibt beide Fenster frei; wird von Halt und von den Fehlerpfaden benutzt.
      //
      VOID NTAPI
      N100HwRelease(
          IN PN100_ADAPTER Adapter
          )
      {
          if (Adapter->SramBase != NULL)
          {
              N100_UNMAP_SRAM(Adapter);
              Adapter->SramBase = NULL;
          }
          if (Adapter->IoBase != NULL)
          {
              NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->IoBase, N100_IO_WINDOW);
              Adapter->IoBase = NULL;
          }
      }
    `),
    '',
  ];
  handFile(x, 'n100_hw.c', 'Hardware resources: I/O window, SRAM window and the interrupt.', hw, 'mac', 400, {
    latin1: true,
  });

  // ---- n100_init.c
  const init = [
    ...code(`
      static NDIS_STATUS
      N100ReadConfiguration(
          IN PN100_ADAPTER Adapter,
          IN NDIS_HANDLE WrapperConfigurationContext
          )
      {
          NDIS_STATUS Status;
          NDIS_HANDLE ConfigHandle;
          PNDIS_CONFIGURATION_PARAMETER Value;
          NDIS_STRING Keyword = NDIS_STRING_CONST("ReceiveBufferSize");
          UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) + 4 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
          UINT BufferSize = sizeof(Buffer);
          PNDIS_RESOURCE_LIST List = (PNDIS_RESOURCE_LIST)Buffer;
          ULONG i;

          NdisOpenConfiguration(&Status, &ConfigHandle, WrapperConfigurationContext);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              return Status;
          }
          NdisReadConfiguration(&Status, &Value, ConfigHandle, &Keyword, NdisParameterInteger);
          if (Status == NDIS_STATUS_SUCCESS)
          {
              Adapter->RxBufferSize = Value->ParameterData.IntegerData;
          }
          NdisCloseConfiguration(ConfigHandle);

          NdisMQueryAdapterResources(&Status, WrapperConfigurationContext, List, &BufferSize);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              return Status;
          }
          for (i = 0; i < List->Count; i++)
          {
              switch (List->PartialDescriptors[i].Type)
              {
              case CmResourceTypeMemory:
                  if (Adapter->IoPhysical.QuadPart == 0)
                  {
                      Adapter->IoPhysical = List->PartialDescriptors[i].u.Memory.Start;
                  }
                  else
                  {
                      Adapter->SramPhysical = List->PartialDescriptors[i].u.Memory.Start;
                  }
                  break;
              case CmResourceTypeInterrupt:
                  Adapter->InterruptVector = List->PartialDescriptors[i].u.Interrupt.Vector;
                  Adapter->InterruptLevel = List->PartialDescriptors[i].u.Interrupt.Level;
                  break;
              default:
                  break;
              }
          }
          return NDIS_STATUS_SUCCESS;
      }

      /*++

      Routine Name: N100Initialize

          MiniportInitialize: selects 802.3, reads the configuration, claims
          the hardware resources and starts the link timer.

      --*/
      NDIS_STATUS NTAPI
      N100Initialize(
          OUT PNDIS_STATUS OpenErrorStatus,
          OUT PUINT SelectedMediumIndex,
          IN PNDIS_MEDIUM MediumArray,
          IN UINT MediumArraySize,
          IN NDIS_HANDLE MiniportAdapterHandle,
          IN NDIS_HANDLE WrapperConfigurationContext
          )
      {
          NDIS_STATUS Status;
          PN100_ADAPTER Adapter;
          UINT i;

          UNREFERENCED_PARAMETER(OpenErrorStatus);

          for (i = 0; i < MediumArraySize; i++)
          {
              if (MediumArray[i] == NdisMedium802_3)
              {
                  break;
              }
          }
          if (i == MediumArraySize)
          {
              return NDIS_STATUS_UNSUPPORTED_MEDIA;
          }
          *SelectedMediumIndex = i;

          Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(N100_ADAPTER), N100_POOL_TAG);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              return Status;
          }
          NdisZeroMemory(Adapter, sizeof(N100_ADAPTER));
          Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
          NdisAllocateSpinLock(&Adapter->Lock);

          Status = N100ReadConfiguration(Adapter, WrapperConfigurationContext);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              NdisFreeSpinLock(&Adapter->Lock);
              NdisFreeMemory(Adapter, sizeof(N100_ADAPTER), 0);
              return Status;
          }

          NdisMSetAttributesEx(MiniportAdapterHandle,
                               (NDIS_HANDLE)Adapter,
                               0,
                               NDIS_ATTRIBUTE_BUS_MASTER | NDIS_ATTRIBUTE_DESERIALIZE,
                               NdisInterfacePci);

          Status = N100HwAcquire(Adapter);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              NdisFreeSpinLock(&Adapter->Lock);
              NdisFreeMemory(Adapter, sizeof(N100_ADAPTER), 0);
              return Status;
          }
    `),
    ...indent(fillerCalls(x, pickFillers(x, 3, /phy|mac|eeprom/, ['v', 'vu']), 'Adapter', false)),
    ...code(`
          NdisMInitializeTimer(&Adapter->LinkTimer, MiniportAdapterHandle, N100LinkTimer, Adapter);
          NdisMSetPeriodicTimer(&Adapter->LinkTimer, 2000);
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
  ];
  handFile(x, 'n100_init.c', 'MiniportInitialize and the configuration it reads.', init, 'cfg', 300);

  // ---- n100_halt.c
  const halt = [
    ...code(`
      /*++

      Routine Name: N100Halt

          MiniportHalt: stops the timer and the interrupt, then releases the
          I/O and SRAM windows.

      --*/
      VOID NTAPI
      N100Halt(
          IN NDIS_HANDLE MiniportAdapterContext
          )
      {
          PN100_ADAPTER adapter = (PN100_ADAPTER)MiniportAdapterContext;
          BOOLEAN cancelled;

          NdisMCancelTimer(&adapter->LinkTimer, &cancelled);
          N100HwDisableInterrupts(adapter);
          NdisMDeregisterInterrupt(&adapter->Interrupt);
    `),
    ...indent(fillerCalls(x, pickFillers(x, 2, /stats|power/, ['v']), 'adapter', false)),
    ...code(`
          N100HwRelease(adapter);
          NdisFreeSpinLock(&adapter->Lock);
          NdisFreeMemory(adapter, sizeof(N100_ADAPTER), 0);
      }
    `),
    '',
    ...callback(x, CB5, 'shutdown', 'N100Shutdown', { body: ['N100HwDisableInterrupts(adapter);'] }),
  ];
  handFile(x, 'n100_halt.c', 'MiniportHalt and the shutdown handler.', halt, 'power', 200);

  // ---- n100.c
  const drv = [
    'NDIS_HANDLE N100WrapperHandle = NULL;',
    '',
    ...code(`
      NTSTATUS NTAPI
      DriverEntry(
          IN PDRIVER_OBJECT DriverObject,
          IN PUNICODE_STRING RegistryPath
          )
      {
          NDIS_STATUS Status;
          NDIS_MINIPORT_CHARACTERISTICS Chars;

          NdisMInitializeWrapper(&N100WrapperHandle, DriverObject, RegistryPath, NULL);

          NdisZeroMemory(&Chars, sizeof(Chars));
          Chars.MajorNdisVersion = N100_NDIS_MAJOR_VERSION;
          Chars.MinorNdisVersion = N100_NDIS_MINOR_VERSION;
          Chars.InitializeHandler = N100Initialize;
          Chars.HaltHandler = N100Halt;
          Chars.CheckForHangHandler = N100CheckForHang;
          Chars.ResetHandler = N100Reset;
          Chars.ISRHandler = N100Isr;
          Chars.HandleInterruptHandler = N100HandleInterrupt;
          Chars.EnableInterruptHandler = N100EnableInterrupt;
          Chars.DisableInterruptHandler = N100DisableInterrupt;
          Chars.QueryInformationHandler = N100QueryInformation;
          Chars.SetInformationHandler = N100SetInformation;
          Chars.SendPacketsHandler = N100SendPackets;
          Chars.ReturnPacketHandler = N100ReturnPacket;
      #ifdef NDIS51_MINIPORT
          Chars.PnPEventNotifyHandler = N100PnPEventNotify;
          Chars.AdapterShutdownHandler = N100Shutdown;
      #endif

          Status = NdisMRegisterMiniport(N100WrapperHandle, &Chars, sizeof(Chars));
          if (Status != NDIS_STATUS_SUCCESS)
          {
              NdisTerminateWrapper(N100WrapperHandle, NULL);
              return Status;
          }
          NdisMRegisterUnloadHandler(N100WrapperHandle, N100Unload);
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
    ...callback(x, CB5, 'unload', 'N100Unload', {}),
  ];
  handFile(x, 'n100.c', 'DriverEntry: NDIS 5 miniport registration.', drv, 'cfg', 0);

  // ---- n100_hang.c
  const hang = [
    ...code(`
      /*++

      Routine Name: N100CheckForHang

          MiniportCheckForHang: called every two seconds by NDIS.

      --*/
      BOOLEAN NTAPI
      N100CheckForHang(
          IN NDIS_HANDLE MiniportAdapterContext
          )
      {
          PN100_ADAPTER adapter = (PN100_ADAPTER)MiniportAdapterContext;
          ULONG status;

          status = N100_READ_REG(adapter, N100_REG_STATUS);
          if (status == 0xFFFFFFFF)
          {
              adapter->SurpriseRemoved = TRUE;
              return FALSE;
          }
      #if DBG
          //
          // Checked builds: the SRAM test tool may have unmapped the window;
          // map it again so the counters below stay readable.
          //
          if (adapter->SramBase == NULL)
          {
              (VOID)N100_MAP_SRAM(adapter);${V5}
          }
      #endif
    `),
    ...indent(fillerCalls(x, pickFillers(x, 2, /stats|diag/, ['v', 'vu']), 'adapter', false)),
    ...code(`
          return (BOOLEAN)(adapter->HardwareErrors > 3);
      }
    `),
    '',
    ...callback(x, CB5, 'reset', 'N100Reset', {
      uses: ['AddressingReset'],
      body: ['*AddressingReset = FALSE;', 'adapter->ResetCount++;'],
      calls: pickFillers(x, 2, /mac|filter/, ['v', 'vu']),
    }),
  ];
  handFile(x, 'n100_hang.c', 'MiniportCheckForHang and MiniportReset.', hang, 'diag', 350);

  // ---- other callbacks
  handFile(
    x,
    'n100_intr.c',
    'Interrupt service routine and deferred processing.',
    [
      ...callback(x, CB5, 'isr', 'N100Isr', {
        uses: ['InterruptRecognized', 'QueueMiniportHandleInterrupt'],
        locals: ['ULONG cause;'],
        body: [
          'cause = N100_READ_REG(adapter, N100_REG_ICR);',
          '*InterruptRecognized = (BOOLEAN)(cause != 0);',
          '*QueueMiniportHandleInterrupt = (BOOLEAN)(cause != 0);',
          'adapter->InterruptCount++;',
        ],
      }),
      ...callback(x, CB5, 'handleInterrupt', 'N100HandleInterrupt', {
        body: ['adapter->DpcCount++;'],
        calls: pickFillers(x, 4, /n100_rx|n100_tx|intr/),
      }),
      ...callback(x, CB5, 'enableIntr', 'N100EnableInterrupt', { body: ['N100HwEnableInterrupts(adapter);'] }),
      ...callback(x, CB5, 'disableIntr', 'N100DisableInterrupt', { body: ['N100HwDisableInterrupts(adapter);'] }),
    ],
    'intr',
    400,
  );
  handFile(
    x,
    'n100_oid.c',
    'Query and set information handlers.',
    [
      ...callback(x, CB5, 'query', 'N100QueryInformation', {
        uses: ['Oid', 'InformationBuffer', 'InformationBufferLength', 'BytesWritten', 'BytesNeeded'],
        locals: [
          'ULONG ulInfo = 0;',
          'ULONG64 ul64Info = 0;',
          'PVOID info = &ulInfo;',
          'ULONG infoLength = sizeof(ulInfo);',
        ],
        body: ['adapter->LastOid = Oid;', ...oidBody5(x, false)],
      }),
      ...callback(x, CB5, 'set', 'N100SetInformation', {
        uses: ['Oid', 'InformationBuffer', 'InformationBufferLength', 'BytesRead', 'BytesNeeded'],
        body: ['adapter->LastOid = Oid;', ...oidBody5(x, true)],
      }),
    ],
    'oid',
    1800,
  );
  handFile(
    x,
    'n100_send.c',
    'MiniportSendPackets.',
    [
      ...callback(x, CB5, 'sendPackets', 'N100SendPackets', {
        uses: ['PacketArray', 'NumberOfPackets'],
        locals: ['UINT i;'],
        body: sb.block('for (i = 0; i < NumberOfPackets; i++)', [
          ...sb.if(`adapter->PendingPacketCount < N100_MAX_PENDING`, [
            'adapter->PendingPackets[adapter->PendingPacketCount++] = PacketArray[i];',
          ]),
          'NDIS_SET_PACKET_STATUS(PacketArray[i], NDIS_STATUS_PENDING);',
        ]),
        calls: pickFillers(x, 3, /n100_tx/),
      }),
    ],
    'tx',
    800,
  );
  handFile(
    x,
    'n100_recv.c',
    'MiniportReturnPacket.',
    [
      ...callback(x, CB5, 'returnPacket', 'N100ReturnPacket', {
        uses: ['Packet'],
        body: ['NdisReinitializePacket(Packet);', 'adapter->RxFramesOk++;'],
        calls: pickFillers(x, 2, /n100_rx/),
      }),
    ],
    'rx',
    700,
  );
  handFile(
    x,
    'n100_timer.c',
    'Link state timer.',
    [
      ...callback(x, CB5, 'timer', 'N100LinkTimer', {
        body: ['adapter->LinkUp = N100HwIsLinkUp(adapter);', 'adapter->WatchdogRuns++;'],
        calls: pickFillers(x, 3, /phy|stats/),
      }),
    ],
    'phy',
    500,
  );
  handFile(
    x,
    'n100_pnp.c',
    'PnP event notification (NDIS 5.1).',
    [
      ...callback(x, CB5, 'pnp', 'N100PnPEventNotify', {
        uses: ['PnPEvent'],
        body: sb.switch('PnPEvent', [
          [['NdisDevicePnPEventSurpriseRemoved'], ['adapter->SurpriseRemoved = TRUE;', 'break;']],
          [['default'], ['break;']],
        ]),
      }),
    ],
    'power',
    450,
  );

  regsHeader(x);
  hwHeader(
    x,
    code(`
    //
    // The SRAM window holds the receive buffers.
    //
    #define N100_MAP_SRAM(a) \\
        NdisMMapIoSpace((PVOID *)&(a)->SramBase, (a)->MiniportAdapterHandle, (a)->SramPhysical, N100_SRAM_SIZE)
    #define N100_UNMAP_SRAM(a) \\
        NdisMUnmapIoSpace((a)->MiniportAdapterHandle, (a)->SramBase, N100_SRAM_SIZE)
  `),
  );
  mainHeader(x, {
    consts: [
      ['N100_IO_WINDOW', '0x40'],
      ['N100_SRAM_SIZE', '0x4000'],
      ['N100_SIGNATURE_OFFSET', '0x0'],
      ['N100_SIGNATURE', '0x4E313030'],
      ['N100_NDIS_MAJOR_VERSION', '5'],
      ['N100_NDIS_MINOR_VERSION', '1'],
    ],
    members: [
      'NDIS_HANDLE MiniportAdapterHandle;',
      'PUCHAR IoBase;',
      'PUCHAR SramBase;',
      'NDIS_PHYSICAL_ADDRESS IoPhysical;',
      'NDIS_PHYSICAL_ADDRESS SramPhysical;',
      'NDIS_MINIPORT_INTERRUPT Interrupt;',
      'NDIS_MINIPORT_TIMER LinkTimer;',
      'UINT InterruptVector;',
      'UINT InterruptLevel;',
    ],
    roles: [],
    globals: ['extern NDIS_HANDLE N100WrapperHandle;'],
    protos: [
      ...safeProtos(x),
      'NDIS_STATUS NTAPI N100HwAcquire(IN PN100_ADAPTER Adapter);',
      'VOID NTAPI N100HwRelease(IN PN100_ADAPTER Adapter);',
      '',
      'NDIS_STATUS NTAPI N100Initialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex, IN PNDIS_MEDIUM MediumArray,',
      '                                 IN UINT MediumArraySize, IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_HANDLE WrapperConfigurationContext);',
      'VOID NTAPI N100Halt(IN NDIS_HANDLE MiniportAdapterContext);',
      'BOOLEAN NTAPI N100CheckForHang(IN NDIS_HANDLE MiniportAdapterContext);',
      'NDIS_STATUS NTAPI N100Reset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI N100Isr(OUT PBOOLEAN InterruptRecognized, OUT PBOOLEAN QueueMiniportHandleInterrupt, IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI N100HandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI N100EnableInterrupt(IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI N100DisableInterrupt(IN NDIS_HANDLE MiniportAdapterContext);',
      'NDIS_STATUS NTAPI N100QueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid, IN PVOID InformationBuffer,',
      '                                       IN ULONG InformationBufferLength, OUT PULONG BytesWritten, OUT PULONG BytesNeeded);',
      'NDIS_STATUS NTAPI N100SetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid, IN PVOID InformationBuffer,',
      '                                     IN ULONG InformationBufferLength, OUT PULONG BytesRead, OUT PULONG BytesNeeded);',
      'VOID NTAPI N100SendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray, IN UINT NumberOfPackets);',
      'VOID NTAPI N100ReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet);',
      'VOID NTAPI N100Shutdown(IN PVOID ShutdownContext);',
      'VOID NTAPI N100PnPEventNotify(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_DEVICE_PNP_EVENT PnPEvent, IN PVOID InformationBuffer, IN ULONG InformationBufferLength);',
      'VOID NTAPI N100LinkTimer(IN PVOID SystemSpecific1, IN PVOID FunctionContext, IN PVOID SystemSpecific2, IN PVOID SystemSpecific3);',
      'VOID NTAPI N100Unload(IN PDRIVER_OBJECT DriverObject);',
      '',
    ],
  });
  smallFiles(x);
  protoHeader(x);
  return x.files;
}

// ================================================================== rtl (_Function_class_ only, pointer registration)

function buildRtl(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'drivers/rtl',
    short: 'rtl',
    P: 'Rtl',
    U: 'RTL',
    ndis5: false,
    style: 'knr',
    doc: 'doxygen',
    elseRate: 0.4,
    handle: 'AdapterHandle',
    base: 'Regs',
    vendor: 'Adventure Works Silicon',
  });
  const sb = x.sb;
  reserve(x, 'RtlInitializeEx', 'RtlHaltEx', 'RtlHwMapBars', 'RtlHwUnmapBars', 'RtlHwEnsureMapped', 'RtlDriverHandle');
  const safe = safeHelpers(x);

  fillAll(x, [
    ['rtl_tx.c', 'tx', 1100],
    ['rtl_tx_desc.c', 'tx', 600],
    ['rtl_rx.c', 'rx', 1100],
    ['rtl_rx_desc.c', 'rx', 550],
    ['rtl_phy.c', 'phy', 950, 'RTL_PHY_8211'],
    ['rtl_eeprom.c', 'nvm', 550],
    ['rtl_mac.c', 'mac', 650],
    ['rtl_filter.c', 'filter', 550],
    ['rtl_stats.c', 'stats', 1300],
    ['rtl_oid_gen.c', 'oid', 1100],
    ['rtl_offload.c', 'csum', 550],
    ['rtl_power.c', 'power', 600],
    ['rtl_cfg.c', 'cfg', 600],
    ['rtl_diag.c', 'diag', 500],
    ['rtl_vlan.c', 'vlan', 350],
  ]);

  const V7 = expect(
    'ndis/mmap-context',
    'rtl: RtlRestart (known by _Function_class_(MINIPORT_RESTART)) reaches RtlHwEnsureMapped, which maps Regs',
  );

  const hw = [
    ...safe,
    ...code(`
      /**
       * @brief Maps every memory BAR; on a failure unmaps the ones already mapped, in reverse.
       */
      NDIS_STATUS
      RtlHwMapBars(_In_ PRTL_ADAPTER Adapter)
      {
          NDIS_STATUS status;
          ULONG i;

          for (i = 0; i < Adapter->BarCount; i++) {
              status = NdisMMapIoSpace(&Adapter->Bars[i].Va,
                                       Adapter->AdapterHandle,
                                       Adapter->Bars[i].Pa,
                                       Adapter->Bars[i].Length);
              if (status != NDIS_STATUS_SUCCESS) {
                  while (i > 0) {
                      i--;
                      NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bars[i].Va, Adapter->Bars[i].Length);
                      Adapter->Bars[i].Va = NULL;
                  }
                  return status;
              }
          }
          return NDIS_STATUS_SUCCESS;
      }

      /**
       * @brief Unmaps every BAR still mapped.
       */
      VOID
      RtlHwUnmapBars(_In_ PRTL_ADAPTER Adapter)
      {
          ULONG i;

          for (i = 0; i < Adapter->BarCount; i++) {
              if (Adapter->Bars[i].Va != NULL) {
                  NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->Bars[i].Va, Adapter->Bars[i].Length);
                  Adapter->Bars[i].Va = NULL;
              }
          }
      }

      /**
       * @brief Makes sure the register window is mapped (it may have been dropped in a low-power state).
       */
      NDIS_STATUS
      RtlHwEnsureMapped(_In_ PRTL_ADAPTER Adapter)
      {
          if (Adapter->Regs != NULL) {
              return NDIS_STATUS_SUCCESS;
          }
          return NdisMMapIoSpace((PVOID *)&Adapter->Regs,${V7}
                                 Adapter->AdapterHandle,
                                 Adapter->RegsPa,
                                 RTL_REGS_LENGTH);
      }
    `),
    '',
  ];
  handFile(x, 'rtl_hw.c', 'BAR mapping helpers.', hw, 'mac', 400);

  const init = [
    ...code(`
      static VOID
      RtlParseResources(_In_ PRTL_ADAPTER Adapter, _In_opt_ PNDIS_RESOURCE_LIST Resources)
      {
          ULONG i;

          Adapter->BarCount = 0;
          if (Resources == NULL) {
              return;
          }
          for (i = 0; i < Resources->Count && Adapter->BarCount < RTL_MAX_BARS; i++) {
              PCM_PARTIAL_RESOURCE_DESCRIPTOR desc = &Resources->PartialDescriptors[i];
              if (desc->Type != CmResourceTypeMemory) {
                  continue;
              }
              if (Adapter->RegsPa.QuadPart == 0) {
                  Adapter->RegsPa = desc->u.Memory.Start;
                  continue;
              }
              Adapter->Bars[Adapter->BarCount].Pa = desc->u.Memory.Start;
              Adapter->Bars[Adapter->BarCount].Length = desc->u.Memory.Length;
              Adapter->BarCount++;
          }
      }

      static NDIS_STATUS
      RtlSetAttributes(_In_ PRTL_ADAPTER Adapter)
      {
          NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES attr;

          NdisZeroMemory(&attr, sizeof(attr));
          attr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
          attr.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
          attr.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
          attr.InterfaceType = NdisInterfacePci;
          return NdisMSetMiniportAttributes(Adapter->AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&attr);
      }

      /**
       * @brief MiniportInitializeEx: maps the BARs, then the register window
       *        into a local that moves into the adapter once it checks out.
       */
      _Function_class_(MINIPORT_INITIALIZE)
      _IRQL_requires_(PASSIVE_LEVEL)
      NDIS_STATUS
      RtlInitializeEx(
          _In_ NDIS_HANDLE MiniportAdapterHandle,
          _In_ NDIS_HANDLE MiniportDriverContext,
          _In_ PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
      {
          NDIS_STATUS status;
          PRTL_ADAPTER adapter;
          PVOID regs = NULL;
          NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS intr;

          UNREFERENCED_PARAMETER(MiniportDriverContext);

          adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(RTL_ADAPTER),
                                                      RTL_POOL_TAG, NormalPoolPriority);
          if (adapter == NULL) {
              return NDIS_STATUS_RESOURCES;
          }
          NdisZeroMemory(adapter, sizeof(RTL_ADAPTER));
          adapter->AdapterHandle = MiniportAdapterHandle;
          RtlParseResources(adapter, MiniportInitParameters->AllocatedResources);

          status = RtlHwMapBars(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              NdisFreeMemory(adapter, 0, 0);
              return status;
          }

          status = NdisMMapIoSpace(&regs, MiniportAdapterHandle, adapter->RegsPa, RTL_REGS_LENGTH);
          if (status != NDIS_STATUS_SUCCESS) {
              RtlHwUnmapBars(adapter);
              NdisFreeMemory(adapter, 0, 0);
              return status;
          }

          if (READ_REGISTER_ULONG((PULONG)regs) == 0xFFFFFFFF) {
              NdisMUnmapIoSpace(MiniportAdapterHandle, regs, RTL_REGS_LENGTH);
              RtlHwUnmapBars(adapter);
              NdisFreeMemory(adapter, 0, 0);
              return NDIS_STATUS_ADAPTER_NOT_FOUND;
          }
          adapter->Regs = regs;

          status = RtlSetAttributes(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              NdisMUnmapIoSpace(MiniportAdapterHandle, adapter->Regs, RTL_REGS_LENGTH);
              adapter->Regs = NULL;
              RtlHwUnmapBars(adapter);
              NdisFreeMemory(adapter, 0, 0);
              return status;
          }
    `),
    ...indent(fillerCalls(x, pickFillers(x, 3, /mac|phy|eeprom/, ['v', 'vu']), 'adapter', false)),
    ...code(`
          NdisZeroMemory(&intr, sizeof(intr));
          intr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
          intr.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
          intr.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
          intr.InterruptHandler = RtlIsr;
          intr.InterruptDpcHandler = RtlInterruptDpc;
          intr.EnableInterruptHandler = RtlEnableInterrupt;
          intr.DisableInterruptHandler = RtlDisableInterrupt;
          status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &intr, &adapter->InterruptHandle);
          if (status != NDIS_STATUS_SUCCESS) {
              NdisMUnmapIoSpace(MiniportAdapterHandle, adapter->Regs, RTL_REGS_LENGTH);
              adapter->Regs = NULL;
              RtlHwUnmapBars(adapter);
              NdisFreeMemory(adapter, 0, 0);
              return status;
          }
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
  ];
  handFile(x, 'rtl_init.c', 'MiniportInitializeEx.', init, 'cfg', 0);

  handFile(
    x,
    'rtl_halt.c',
    'MiniportHaltEx and MiniportShutdownEx.',
    [
      ...code(`
      /**
       * @brief MiniportHaltEx: releases the register window and the BARs.
       */
      _Function_class_(MINIPORT_HALT)
      _IRQL_requires_(PASSIVE_LEVEL)
      VOID
      RtlHaltEx(
          _In_ NDIS_HANDLE MiniportAdapterContext,
          _In_ NDIS_HALT_ACTION HaltAction)
      {
          PRTL_ADAPTER adapter = (PRTL_ADAPTER)MiniportAdapterContext;

          UNREFERENCED_PARAMETER(HaltAction);
          NdisMDeregisterInterruptEx(adapter->InterruptHandle);
    `),
      ...indent(fillerCalls(x, pickFillers(x, 2, /stats|power/, ['v']), 'adapter', false)),
      ...code(`
          if (adapter->Regs != NULL) {
              NdisMUnmapIoSpace(adapter->AdapterHandle, adapter->Regs, RTL_REGS_LENGTH);
              adapter->Regs = NULL;
          }
          RtlHwUnmapBars(adapter);
          NdisFreeMemory(adapter, 0, 0);
      }
    `),
      '',
      ...callback(x, CB6, 'shutdown', 'RtlShutdownEx', {
        functionClass: true,
        body: ['RtlHwDisableInterrupts(adapter);'],
      }),
    ],
    'power',
    200,
  );

  handFile(
    x,
    'rtl_main.c',
    'DriverEntry; the characteristics are filled through a pointer.',
    [
      'NDIS_HANDLE RtlDriverHandle = NULL;',
      '',
      ...code(`
      /**
       * @brief Fills the characteristics NDIS needs to drive this miniport.
       */
      static VOID
      RtlFillCharacteristics(_Out_ PNDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars)
      {
          NdisZeroMemory(Chars, sizeof(*Chars));
          Chars->Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
          Chars->Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
          Chars->Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
          Chars->MajorNdisVersion = 6;
          Chars->MinorNdisVersion = 20;
          Chars->InitializeHandlerEx = RtlInitializeEx;
          Chars->HaltHandlerEx = RtlHaltEx;
          Chars->PauseHandler = RtlPause;
          Chars->RestartHandler = RtlRestart;
          Chars->OidRequestHandler = RtlOidRequest;
          Chars->CancelOidRequestHandler = RtlCancelOidRequest;
          Chars->SendNetBufferListsHandler = RtlSendNetBufferLists;
          Chars->CancelSendHandler = RtlCancelSend;
          Chars->ReturnNetBufferListsHandler = RtlReturnNetBufferLists;
          Chars->ResetHandlerEx = RtlResetEx;
          Chars->ShutdownHandlerEx = (MINIPORT_SHUTDOWN *)RtlShutdownEx;
          Chars->UnloadHandler = RtlUnload;
      }

      _Function_class_(DRIVER_INITIALIZE)
      _IRQL_requires_(PASSIVE_LEVEL)
      NTSTATUS
      DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
      {
          NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;

          RtlFillCharacteristics(&chars);
          return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &RtlDriverHandle);
      }
    `),
      '',
      ...callback(x, CB6, 'unload', 'RtlUnload', {
        functionClass: true,
        body: ['NdisMDeregisterMiniportDriver(RtlDriverHandle);'],
      }),
    ],
    'cfg',
    0,
  );

  const restart = [
    ...code(`
      /**
       * @brief MiniportRestart: resumes the data path after a pause.
       */
      _Function_class_(MINIPORT_RESTART)
      _IRQL_requires_(PASSIVE_LEVEL)
      NDIS_STATUS
      RtlRestart(
          _In_ NDIS_HANDLE MiniportAdapterContext,
          _In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
      {
          PRTL_ADAPTER adapter = (PRTL_ADAPTER)MiniportAdapterContext;
          NDIS_STATUS status;

          UNREFERENCED_PARAMETER(RestartParameters);
          status = RtlHwEnsureMapped(adapter);
          if (status != NDIS_STATUS_SUCCESS) {
              return status;
          }
          adapter->Paused = FALSE;
    `),
    ...indent(fillerCalls(x, pickFillers(x, 2, /rtl_rx|rtl_filter/, ['v', 'vu']), 'adapter', false)),
    ...code(`
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
  ];
  handFile(
    x,
    'rtl_pause.c',
    'MiniportPause and MiniportRestart.',
    [
      ...callback(x, CB6, 'pause', 'RtlPause', {
        functionClass: true,
        body: ['adapter->Paused = TRUE;'],
        calls: pickFillers(x, 2, /rtl_tx/),
      }),
      ...restart,
    ],
    'ring',
    300,
  );
  handFile(
    x,
    'rtl_oid.c',
    'MiniportOidRequest.',
    [
      ...callback(x, CB6, 'oidRequest', 'RtlOidRequest', {
        functionClass: true,
        uses: ['NdisRequest'],
        body: sb.switch('NdisRequest->RequestType', [
          [['NdisRequestQueryInformation'], ['adapter->LastOid = NdisRequest->DATA.QUERY_INFORMATION.Oid;', 'break;']],
          [['NdisRequestSetInformation'], ['adapter->LastOid = NdisRequest->DATA.SET_INFORMATION.Oid;', 'break;']],
          [['default'], ['status = NDIS_STATUS_NOT_SUPPORTED;', 'break;']],
        ]),
        calls: pickFillers(x, 3, /oid/, ['v', 'vu']),
      }),
      ...callback(x, CB6, 'cancelOid', 'RtlCancelOidRequest', { functionClass: true }),
    ],
    'oid',
    900,
  );
  handFile(
    x,
    'rtl_send.c',
    'MiniportSendNetBufferLists.',
    [
      ...callback(x, CB6, 'send', 'RtlSendNetBufferLists', {
        functionClass: true,
        uses: ['NetBufferLists'],
        locals: ['PNET_BUFFER_LIST nbl;'],
        body: sb.block('for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))', [
          'NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;',
        ]),
        calls: pickFillers(x, 3, /rtl_tx/),
      }),
      ...callback(x, CB6, 'cancelSend', 'RtlCancelSend', { functionClass: true }),
    ],
    'tx',
    600,
  );
  handFile(
    x,
    'rtl_recv.c',
    'MiniportReturnNetBufferLists.',
    [
      ...callback(x, CB6, 'returnNbl', 'RtlReturnNetBufferLists', {
        functionClass: true,
        calls: pickFillers(x, 2, /rtl_rx/),
      }),
    ],
    'rx',
    600,
  );
  handFile(
    x,
    'rtl_intr.c',
    'Interrupt handling.',
    [
      ...callback(x, CB6, 'isr', 'RtlIsr', {
        functionClass: true,
        uses: ['QueueDefaultInterruptDpc', 'TargetProcessors'],
        body: [
          '*QueueDefaultInterruptDpc = TRUE;',
          '*TargetProcessors = 0;',
          'adapter->InterruptCount++;',
          'result = TRUE;',
        ],
      }),
      ...callback(x, CB6, 'dpc', 'RtlInterruptDpc', {
        functionClass: true,
        body: ['adapter->DpcCount++;'],
        calls: pickFillers(x, 3, /rtl_rx|rtl_tx/),
      }),
      ...callback(x, CB6, 'enableIntr', 'RtlEnableInterrupt', {
        functionClass: true,
        body: ['RtlHwEnableInterrupts(adapter);'],
      }),
      ...callback(x, CB6, 'disableIntr', 'RtlDisableInterrupt', {
        functionClass: true,
        body: ['RtlHwDisableInterrupts(adapter);'],
      }),
    ],
    'intr',
    300,
  );
  handFile(
    x,
    'rtl_reset.c',
    'MiniportResetEx.',
    [
      ...callback(x, CB6, 'reset', 'RtlResetEx', {
        functionClass: true,
        uses: ['AddressingReset'],
        body: ['*AddressingReset = TRUE;', 'adapter->ResetCount++;'],
        calls: pickFillers(x, 2, /mac|filter/, ['v']),
      }),
    ],
    'diag',
    350,
  );

  regsHeader(x);
  hwHeader(x, []);
  mainHeader(x, {
    consts: [
      ['RTL_MAX_BARS', '3'],
      ['RTL_REGS_LENGTH', '0x100'],
    ],
    types: code(`
      typedef struct _RTL_BAR {
          PVOID Va;
          NDIS_PHYSICAL_ADDRESS Pa;
          ULONG Length;
      } RTL_BAR, *PRTL_BAR;
    `),
    members: [
      'NDIS_HANDLE AdapterHandle;',
      'NDIS_HANDLE InterruptHandle;',
      'PUCHAR Regs;',
      'NDIS_PHYSICAL_ADDRESS RegsPa;',
      'ULONG BarCount;',
      'RTL_BAR Bars[RTL_MAX_BARS];',
    ],
    roles: [],
    globals: ['extern NDIS_HANDLE RtlDriverHandle;'],
    protos: [
      ...safeProtos(x),
      'NDIS_STATUS RtlHwMapBars(_In_ PRTL_ADAPTER Adapter);',
      'VOID RtlHwUnmapBars(_In_ PRTL_ADAPTER Adapter);',
      'NDIS_STATUS RtlHwEnsureMapped(_In_ PRTL_ADAPTER Adapter);',
      '',
    ],
  });
  smallFiles(x);
  protoHeader(x);
  return x.files;
}

// ================================================================== xg (two builds side by side)

function buildXg(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'drivers/xg',
    short: 'xg',
    P: 'Xg',
    U: 'XG',
    ndis5: false,
    style: 'allman',
    doc: 'short',
    elseRate: 0.3,
    handle: 'MiniportHandle',
    base: 'Regs',
    vendor: 'Tailspin Networks',
  });
  const common = [
    'XgInitialize',
    'XgHalt',
    'XgMapRegisters',
    'XgUnmapRegisters',
    'XgIsr',
    'XgDpc',
    'XgCheckForHang',
    'XgReset',
    'XgShutdown',
    'XgUnload',
    'XgDriverHandle',
  ];
  reserve(
    x,
    ...common,
    'XgPause',
    'XgRestart',
    'XgOidRequest',
    'XgSendNetBufferLists',
    'XgReturnNetBufferLists',
    'XgCancelSend',
    'XgQueryInformation',
    'XgSetInformation',
    'XgSendPackets',
    'XgReturnPacket',
  );
  const safe = safeHelpers(x);

  fillAll(x, [
    ['xg_tx.c', 'tx', 1000],
    ['xg_rx.c', 'rx', 1000],
    ['xg_phy.c', 'phy', 800],
    ['xg_nvm.c', 'nvm', 500],
    ['xg_mac.c', 'mac', 600],
    ['xg_filter.c', 'filter', 500],
    ['xg_stats.c', 'stats', 1200, 'XG_NDIS6'],
    ['xg_oid.c', 'oid', 900],
    ['xg_csum.c', 'csum', 450],
    ['xg_cfg.c', 'cfg', 550],
    ['xg_diag.c', 'diag', 500],
    ['xg_ring.c', 'ring', 500],
    ['xg_intr.c', 'intr', 400],
  ]);
  handFile(x, 'xg_hw.c', 'Register helpers shared by both builds.', safe, 'mac', 500);

  // ---- x6.c: the NDIS 6 build
  const mapUnmap = (ann: string, ntapi: string, len: string) =>
    code(`
    NDIS_STATUS${ntapi}
    XgMapRegisters(
        ${ann}PXG_ADAPTER Adapter
        )
    {
        NDIS_STATUS status;

        status = NdisMMapIoSpace((PVOID *)&Adapter->Regs,
                                 Adapter->MiniportHandle,
                                 Adapter->RegsPa,
                                 ${len});
        if (status != NDIS_STATUS_SUCCESS)
        {
            Adapter->Regs = NULL;
        }
        return status;
    }

    VOID${ntapi}
    XgUnmapRegisters(
        ${ann}PXG_ADAPTER Adapter
        )
    {
        if (Adapter->Regs != NULL)
        {
            NdisMUnmapIoSpace(Adapter->MiniportHandle, Adapter->Regs, ${len});
            Adapter->Regs = NULL;
        }
    }
  `);
  const x6 = [
    'NDIS_HANDLE XgDriverHandle = NULL;',
    '',
    ...mapUnmap('_In_ ', '', 'XG_REGS_LENGTH'),
    '',
    ...code(`
      static NDIS_STATUS
      XgSetAttributes(
          _In_ PXG_ADAPTER Adapter
          )
      {
          NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES attr;

          NdisZeroMemory(&attr, sizeof(attr));
          attr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
          attr.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
          attr.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
          attr.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
          attr.InterfaceType = NdisInterfacePci;
          return NdisMSetMiniportAttributes(Adapter->MiniportHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&attr);
      }

      static NDIS_STATUS
      XgSelfTest(
          _In_ PXG_ADAPTER Adapter
          )
      {
          if (XG_READ_REG(Adapter, XG_REG_STATUS) == 0xFFFFFFFF)
          {
              return NDIS_STATUS_HARD_ERRORS;
          }
          return NDIS_STATUS_SUCCESS;
      }

      /* MiniportInitializeEx of the NDIS 6 build: one exit, cleanup guarded by the status. */
      _Use_decl_annotations_
      NDIS_STATUS
      XgInitialize(
          NDIS_HANDLE MiniportAdapterHandle,
          NDIS_HANDLE MiniportDriverContext,
          PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters
          )
      {
          NDIS_STATUS status = NDIS_STATUS_SUCCESS;
          PXG_ADAPTER adapter = NULL;
          NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS intr;

          UNREFERENCED_PARAMETER(MiniportDriverContext);

          adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(XG_ADAPTER),
                                                      XG_POOL_TAG, NormalPoolPriority);
          if (adapter == NULL)
          {
              status = NDIS_STATUS_RESOURCES;
              goto Exit;
          }
          NdisZeroMemory(adapter, sizeof(XG_ADAPTER));
          adapter->MiniportHandle = MiniportAdapterHandle;
          adapter->RegsPa = MiniportInitParameters->AllocatedResources->PartialDescriptors[0].u.Memory.Start;

          status = XgSetAttributes(adapter);
          if (status != NDIS_STATUS_SUCCESS)
          {
              goto Exit;
          }

          status = XgMapRegisters(adapter);
          if (status != NDIS_STATUS_SUCCESS)
          {
              goto Exit;
          }

          status = XgSelfTest(adapter);
          if (status != NDIS_STATUS_SUCCESS)
          {
              goto Exit;
          }

          NdisZeroMemory(&intr, sizeof(intr));
          intr.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
          intr.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
          intr.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
          intr.InterruptHandler = XgIsr;
          intr.InterruptDpcHandler = XgDpc;
          status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &intr, &adapter->InterruptHandle);

      Exit:
          if (status != NDIS_STATUS_SUCCESS)
          {
              if (adapter != NULL)
              {
                  XgUnmapRegisters(adapter);
                  NdisFreeMemory(adapter, 0, 0);
              }
          }
          return status;
      }

      /* MiniportHaltEx of the NDIS 6 build. */
      _Use_decl_annotations_
      VOID
      XgHalt(
          NDIS_HANDLE MiniportAdapterContext,
          NDIS_HALT_ACTION HaltAction
          )
      {
          PXG_ADAPTER adapter = (PXG_ADAPTER)MiniportAdapterContext;

          UNREFERENCED_PARAMETER(HaltAction);
          NdisMDeregisterInterruptEx(adapter->InterruptHandle);
          XgHwDisableInterrupts(adapter);
          XgUnmapRegisters(adapter);
          NdisFreeMemory(adapter, 0, 0);
      }

      _Use_decl_annotations_
      NTSTATUS
      DriverEntry(
          PDRIVER_OBJECT DriverObject,
          PUNICODE_STRING RegistryPath
          )
      {
          NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;

          NdisZeroMemory(&chars, sizeof(chars));
          chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
          chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
          chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
          chars.MajorNdisVersion = 6;
          chars.MinorNdisVersion = 0;
          chars.InitializeHandlerEx = XgInitialize;
          chars.HaltHandlerEx = XgHalt;
          chars.PauseHandler = XgPause;
          chars.RestartHandler = XgRestart;
          chars.OidRequestHandler = XgOidRequest;
          chars.SendNetBufferListsHandler = XgSendNetBufferLists;
          chars.ReturnNetBufferListsHandler = XgReturnNetBufferLists;
          chars.CancelSendHandler = XgCancelSend;
          chars.CheckForHangHandlerEx = XgCheckForHang;
          chars.ResetHandlerEx = XgReset;
          chars.ShutdownHandlerEx = XgShutdown;
          chars.UnloadHandler = XgUnload;
          return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &XgDriverHandle);
      }
    `),
    '',
    ...callback(x, CB6, 'pause', 'XgPause', {
      body: ['adapter->Paused = TRUE;'],
      calls: pickFillers(x, 2, /xg_tx|xg_rx/),
    }),
    ...callback(x, CB6, 'restart', 'XgRestart', {
      body: ['adapter->Paused = FALSE;'],
      calls: pickFillers(x, 2, /xg_rx|xg_filter/),
    }),
    ...callback(x, CB6, 'oidRequest', 'XgOidRequest', {
      uses: ['NdisRequest'],
      body: ['adapter->LastOid = NdisRequest->DATA.QUERY_INFORMATION.Oid;'],
      calls: pickFillers(x, 2, /xg_oid/, ['v', 'vu']),
    }),
    ...callback(x, CB6, 'send', 'XgSendNetBufferLists', { calls: pickFillers(x, 2, /xg_tx/) }),
    ...callback(x, CB6, 'returnNbl', 'XgReturnNetBufferLists', { calls: pickFillers(x, 1, /xg_rx/) }),
    ...callback(x, CB6, 'cancelSend', 'XgCancelSend', {}),
    ...callback(x, CB6, 'isr', 'XgIsr', {
      uses: ['QueueDefaultInterruptDpc', 'TargetProcessors'],
      body: [
        '*QueueDefaultInterruptDpc = TRUE;',
        '*TargetProcessors = 0;',
        'result = (BOOLEAN)(XG_READ_REG(adapter, XG_REG_ICR) != 0);',
      ],
    }),
    ...callback(x, CB6, 'dpc', 'XgDpc', { calls: pickFillers(x, 3, /xg_rx|xg_tx|xg_intr/) }),
    ...callback(x, CB6, 'checkForHang', 'XgCheckForHang', {
      body: ['result = (BOOLEAN)(XG_READ_REG(adapter, XG_REG_STATUS) == 0xFFFFFFFF);'],
    }),
    ...callback(x, CB6, 'reset', 'XgReset', {
      uses: ['AddressingReset'],
      body: ['*AddressingReset = FALSE;'],
      calls: pickFillers(x, 1, /xg_mac/, ['v']),
    }),
    ...callback(x, CB6, 'shutdown', 'XgShutdown', { body: ['XgHwDisableInterrupts(adapter);'] }),
    ...callback(x, CB6, 'unload', 'XgUnload', { body: ['NdisMDeregisterMiniportDriver(XgDriverHandle);'] }),
  ];
  handFile(x, 'x6.c', 'NDIS 6 build of the driver: callbacks and registration.', x6, 'diag', 400, { staticRate: 1 });

  // ---- x5.c: the NDIS 5 build, same non-static names
  for (const n of common) x.d.names.delete(n);
  x.d.ndis5 = true;
  const x5 = [
    'NDIS_HANDLE XgDriverHandle = NULL;',
    '',
    ...mapUnmap('IN ', ' NTAPI', 'XG_V5_REGS_LENGTH'),
    '',
    ...code(`
      static NDIS_STATUS
      XgQueryResources(
          IN PXG_ADAPTER Adapter,
          IN NDIS_HANDLE WrapperConfigurationContext
          )
      {
          NDIS_STATUS Status;
          UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) + 2 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
          UINT BufferSize = sizeof(Buffer);
          PNDIS_RESOURCE_LIST List = (PNDIS_RESOURCE_LIST)Buffer;

          NdisMQueryAdapterResources(&Status, WrapperConfigurationContext, List, &BufferSize);
          if (Status == NDIS_STATUS_SUCCESS && List->Count > 1)
          {
              Adapter->RegsPa = List->PartialDescriptors[0].u.Memory.Start;
              Adapter->InterruptVector = List->PartialDescriptors[1].u.Interrupt.Vector;
              Adapter->InterruptLevel = List->PartialDescriptors[1].u.Interrupt.Level;
          }
          return Status;
      }

      /* MiniportInitialize of the NDIS 5 build: a classic cleanup ladder. */
      NDIS_STATUS NTAPI
      XgInitialize(
          OUT PNDIS_STATUS OpenErrorStatus,
          OUT PUINT SelectedMediumIndex,
          IN PNDIS_MEDIUM MediumArray,
          IN UINT MediumArraySize,
          IN NDIS_HANDLE MiniportAdapterHandle,
          IN NDIS_HANDLE WrapperConfigurationContext
          )
      {
          NDIS_STATUS Status;
          PXG_ADAPTER Adapter;
          UINT i;

          UNREFERENCED_PARAMETER(OpenErrorStatus);

          for (i = 0; i < MediumArraySize; i++)
          {
              if (MediumArray[i] == NdisMedium802_3)
              {
                  break;
              }
          }
          if (i == MediumArraySize)
          {
              return NDIS_STATUS_UNSUPPORTED_MEDIA;
          }
          *SelectedMediumIndex = i;

          Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(XG_ADAPTER), XG_POOL_TAG);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              return Status;
          }
          NdisZeroMemory(Adapter, sizeof(XG_ADAPTER));
          Adapter->MiniportHandle = MiniportAdapterHandle;

          Status = XgQueryResources(Adapter, WrapperConfigurationContext);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              goto FreeAdapter;
          }

          NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
                               NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);

          Status = XgMapRegisters(Adapter);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              goto FreeAdapter;
          }

          Status = NdisMRegisterInterrupt(&Adapter->Interrupt, MiniportAdapterHandle,
                                          Adapter->InterruptVector, Adapter->InterruptLevel,
                                          TRUE, TRUE, NdisInterruptLevelSensitive);
          if (Status != NDIS_STATUS_SUCCESS)
          {
              goto UnmapRegisters;
          }
          return NDIS_STATUS_SUCCESS;

      UnmapRegisters:
          XgUnmapRegisters(Adapter);
      FreeAdapter:
          NdisFreeMemory(Adapter, sizeof(XG_ADAPTER), 0);
          return Status;
      }

      /* MiniportHalt of the NDIS 5 build. */
      VOID NTAPI
      XgHalt(
          IN NDIS_HANDLE MiniportAdapterContext
          )
      {
          PXG_ADAPTER adapter = (PXG_ADAPTER)MiniportAdapterContext;

          NdisMDeregisterInterrupt(&adapter->Interrupt);
          XgUnmapRegisters(adapter);
          NdisFreeMemory(adapter, sizeof(XG_ADAPTER), 0);
      }

      NTSTATUS NTAPI
      DriverEntry(
          IN PDRIVER_OBJECT DriverObject,
          IN PUNICODE_STRING RegistryPath
          )
      {
          NDIS_STATUS Status;
          NDIS_HANDLE Wrapper;
          NDIS_MINIPORT_CHARACTERISTICS Chars;

          NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
          NdisZeroMemory(&Chars, sizeof(Chars));
          Chars.MajorNdisVersion = 5;
          Chars.MinorNdisVersion = 1;
          Chars.InitializeHandler = XgInitialize;
          Chars.HaltHandler = XgHalt;
          Chars.ISRHandler = XgIsr;
          Chars.HandleInterruptHandler = XgDpc;
          Chars.CheckForHangHandler = XgCheckForHang;
          Chars.ResetHandler = XgReset;
          Chars.QueryInformationHandler = XgQueryInformation;
          Chars.SetInformationHandler = XgSetInformation;
          Chars.SendPacketsHandler = XgSendPackets;
          Chars.ReturnPacketHandler = XgReturnPacket;
          Chars.AdapterShutdownHandler = XgShutdown;

          Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
          if (Status != NDIS_STATUS_SUCCESS)
          {
              NdisTerminateWrapper(Wrapper, NULL);
              return Status;
          }
          XgDriverHandle = Wrapper;
          NdisMRegisterUnloadHandler(Wrapper, XgUnload);
          return NDIS_STATUS_SUCCESS;
      }
    `),
    '',
    ...callback(x, CB5, 'isr', 'XgIsr', {
      uses: ['InterruptRecognized', 'QueueMiniportHandleInterrupt'],
      body: [
        '*InterruptRecognized = (BOOLEAN)(XG_READ_REG(adapter, XG_REG_ICR) != 0);',
        '*QueueMiniportHandleInterrupt = *InterruptRecognized;',
      ],
    }),
    ...callback(x, CB5, 'handleInterrupt', 'XgDpc', { calls: pickFillers(x, 3, /xg_rx|xg_tx|xg_intr/) }),
    ...callback(x, CB5, 'checkForHang', 'XgCheckForHang', {
      body: ['result = (BOOLEAN)(XG_READ_REG(adapter, XG_REG_STATUS) == 0xFFFFFFFF);'],
    }),
    ...callback(x, CB5, 'reset', 'XgReset', { uses: ['AddressingReset'], body: ['*AddressingReset = FALSE;'] }),
    ...callback(x, CB5, 'query', 'XgQueryInformation', {
      uses: ['Oid', 'InformationBuffer', 'InformationBufferLength', 'BytesWritten', 'BytesNeeded'],
      locals: [
        'ULONG ulInfo = 0;',
        'ULONG64 ul64Info = 0;',
        'PVOID info = &ulInfo;',
        'ULONG infoLength = sizeof(ulInfo);',
      ],
      body: oidBody5(x, false),
    }),
    ...callback(x, CB5, 'set', 'XgSetInformation', {
      uses: ['Oid', 'InformationBuffer', 'InformationBufferLength', 'BytesRead', 'BytesNeeded'],
      body: oidBody5(x, true),
    }),
    ...callback(x, CB5, 'sendPackets', 'XgSendPackets', { calls: pickFillers(x, 2, /xg_tx/) }),
    ...callback(x, CB5, 'returnPacket', 'XgReturnPacket', {
      uses: ['Packet'],
      body: ['NdisReinitializePacket(Packet);'],
    }),
    ...callback(x, CB5, 'shutdown', 'XgShutdown', { body: ['XgHwDisableInterrupts(adapter);'] }),
    ...callback(x, CB5, 'unload', 'XgUnload', {}),
  ];
  handFile(x, 'x5.c', 'NDIS 5 build of the driver: same entry points, NDIS 5 signatures.', x5, 'diag', 400, {
    staticRate: 1,
  });
  x.d.ndis5 = false;

  regsHeader(x);
  hwHeader(x, []);
  mainHeader(x, {
    consts: [
      ['XG_REGS_LENGTH', '0x4000'],
      ['XG_V5_REGS_LENGTH', '16384UL'],
    ],
    members: [
      'NDIS_HANDLE MiniportHandle;',
      'PUCHAR Regs;',
      'NDIS_PHYSICAL_ADDRESS RegsPa;',
      '#ifdef XG_NDIS6',
      'NDIS_HANDLE InterruptHandle;',
      '#else',
      'NDIS_MINIPORT_INTERRUPT Interrupt;',
      'UINT InterruptVector;',
      'UINT InterruptLevel;',
      'PNDIS_PACKET PendingPackets[XG_MAX_PENDING];',
      'ULONG PendingPacketCount;',
      '#endif',
    ],
    roles: [],
    globals: ['extern NDIS_HANDLE XgDriverHandle;'],
    protos: [
      ...safeProtos(x),
      '#ifdef XG_NDIS6',
      '',
      'MINIPORT_INITIALIZE XgInitialize;',
      'MINIPORT_HALT XgHalt;',
      'MINIPORT_PAUSE XgPause;',
      'MINIPORT_RESTART XgRestart;',
      'MINIPORT_OID_REQUEST XgOidRequest;',
      'MINIPORT_SEND_NET_BUFFER_LISTS XgSendNetBufferLists;',
      'MINIPORT_RETURN_NET_BUFFER_LISTS XgReturnNetBufferLists;',
      'MINIPORT_CANCEL_SEND XgCancelSend;',
      'MINIPORT_ISR XgIsr;',
      'MINIPORT_INTERRUPT_DPC XgDpc;',
      'MINIPORT_CHECK_FOR_HANG XgCheckForHang;',
      'MINIPORT_RESET XgReset;',
      'MINIPORT_SHUTDOWN XgShutdown;',
      'MINIPORT_UNLOAD XgUnload;',
      '',
      'NDIS_STATUS XgMapRegisters(_In_ PXG_ADAPTER Adapter);',
      'VOID XgUnmapRegisters(_In_ PXG_ADAPTER Adapter);',
      '',
      '#else // NDIS 5',
      '',
      'NDIS_STATUS NTAPI XgMapRegisters(IN PXG_ADAPTER Adapter);',
      'VOID NTAPI XgUnmapRegisters(IN PXG_ADAPTER Adapter);',
      'VOID NTAPI XgHalt(IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI XgDpc(IN NDIS_HANDLE MiniportAdapterContext);',
      'VOID NTAPI XgUnload(IN PDRIVER_OBJECT DriverObject);',
      '',
      '#endif // XG_NDIS6',
      '',
    ],
  });
  smallFiles(x);
  protoHeader(x);
  return x.files;
}

// ================================================================== lib/ndisx (header-only)

function buildLib(rng: Rng): RawFile[] {
  const x = makeCtx(rng, {
    dir: 'lib/ndisx',
    short: 'ndisx',
    P: 'Ndisx',
    U: 'NDISX',
    ndis5: false,
    style: 'knr',
    doc: 'doxygen',
    elseRate: 0.2,
    handle: 'Handle',
    base: 'Base',
    vendor: 'Contoso Networks Corporation',
  });
  x.includes = ['ndisx.h'];
  for (const [name, theme, lines] of [
    ['ndisx_list.h', 'ring', 450],
    ['ndisx_nbl.h', 'tx', 700],
    ['ndisx_crc.h', 'csum', 400],
    ['ndisx_bits.h', 'diag', 350],
    ['ndisx_time.h', 'intr', 300],
    ['ndisx_stats.h', 'stats', 600],
    ['ndisx_ring.h', 'ring', 550],
  ] as [string, string, number][]) {
    const guard = `_${name.replace('.', '_').toUpperCase()}_`;
    const body = [
      ...banner(x, name, `Header-only helpers: ${ABSTRACTS[theme]}`),
      `#ifndef ${guard}`,
      `#define ${guard}`,
      '',
      '#include "ndisx.h"',
      '',
    ];
    body.push(...fillerBody(x, `${x.d.dir}/${name}`, theme, Math.round(lines * SCALE), new Set(), { staticRate: 1 }));
    body.push(`#endif // ${guard}`);
    addFile(x, name, body);
  }
  regsHeader(x);
  hwHeader(
    x,
    code(`
    //
    // Portable wrappers over the NDIS I/O space calls.
    //
    #define NDISX_UNMAP_IO(h, va, len) \\
        NdisMUnmapIoSpace((h), (va), (len))
    #define NDISX_READ32(p)     READ_REGISTER_ULONG((PULONG)(p))
    #define NDISX_WRITE32(p, v) WRITE_REGISTER_ULONG((PULONG)(p), (v))
  `),
  );
  mainHeader(x, {
    consts: [['NDISX_VERSION', '0x00020007']],
    members: ['NDIS_HANDLE Handle;', 'PUCHAR Base;'],
    roles: [],
    protos: [],
  });
  // The library has no exported functions: drop the empty prototype header from the includes.
  return x.files;
}

// ================================================================== assembly

function finish(seed: number, raw: RawFile[]): Corpus {
  raw.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files: CorpusFile[] = [];
  const expected: ExpectedFinding[] = [];
  const seen = new Set<string>();
  for (const f of raw) {
    if (seen.has(f.path)) throw new Error(`corpus: duplicate path ${f.path}`);
    seen.add(f.path);
    const lines = f.lines.join('\n').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].includes(MARK_OPEN)) continue;
      lines[i] = lines[i].replace(MARK_RE, (_m, rule: string, note: string) => {
        expected.push({ rule: rule as RuleId, path: f.path, line: i + 1, note });
        return '';
      });
    }
    const eol = f.crlf ? '\r\n' : '\n';
    const text = lines.join(eol) + eol;
    if ([MARK_OPEN, MARK_SEP, MARK_CLOSE].some((m) => text.includes(m)))
      throw new Error(`corpus: marker left in ${f.path}`);
    if (f.latin1 && (!/[\u0080-\u00ff]/.test(text) || /[\u0100-\uffff]/.test(text)))
      throw new Error(`corpus: ${f.path} is not Latin-1 text`);
    files.push({ path: f.path, text, encoding: f.latin1 ? 'latin1' : 'utf8' });
  }
  // Every expected line must hold what its rule reports there.
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  for (const e of expected) {
    const line = defined(byPath.get(e.path)).split(/\r?\n/)[e.line - 1] ?? '';
    const ok =
      e.rule === 'ndis/unmap-on-failure'
        ? /\b(?:goto|return)\b/.test(line)
        : e.rule === 'ndis/unmap-length'
          ? /NdisMUnmapIoSpace|_UNMAP_\w*\(/.test(line)
          : /NdisMMapIoSpace|_MAP_\w*\(/.test(line);
    if (!ok) throw new Error(`corpus: ${e.path}:${String(e.line)} does not fit ${e.rule}: ${line}`);
  }
  expected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  return { seed, files, expected };
}

/** Writes the corpus under `dir` (Latin-1 files byte for byte). */
export function writeCorpus(dir: string, corpus: Corpus): void {
  for (const f of corpus.files) {
    const p = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, Buffer.from(f.text, f.encoding === 'latin1' ? 'latin1' : 'utf8'));
  }
}

/** Size of the corpus as written: files, lines and bytes. */
export function corpusSize(corpus: Corpus): { files: number; lines: number; bytes: number } {
  let lines = 0;
  let bytes = 0;
  for (const f of corpus.files) {
    lines += f.text.split('\n').length - 1;
    bytes += Buffer.byteLength(f.text, f.encoding === 'latin1' ? 'latin1' : 'utf8');
  }
  return { files: corpus.files.length, lines, bytes };
}
