/**
 * Filler code for the benchmark corpus: the bulk of a real driver, which
 * never touches NdisMMapIoSpace. Register programming, descriptor rings,
 * NET_BUFFER_LIST walks, OID switches, statistics, tables, debug dumps, with
 * SAL annotations (NDIS 6) or IN/OUT (NDIS 5), `#if DBG` blocks and comments.
 *
 * Everything here is driven by the caller's Rng, so output is deterministic.
 */
import type { Rng } from './rng.js';

/** Function shapes the filler emits and knows how to call. */
export type Sig = 'v' | 'vu' | 'su' | 'uu' | 'b';

export interface FnRef {
  name: string;
  sig: Sig;
}

export interface Drv {
  /** Folder, e.g. `drivers/e1k`. */
  dir: string;
  /** Function prefix, e.g. `E1k`. */
  P: string;
  /** Macro prefix, e.g. `E1K`. */
  U: string;
  /** Adapter type and pointer type. */
  A: string;
  PA: string;
  ndis5: boolean;
  style: 'knr' | 'allman';
  /** Where a function's description goes. */
  doc: 'ms-inside' | 'ms-above' | 'banner' | 'short' | 'doxygen';
  regRead: string;
  regWrite: string;
  trace: string;
  regs: string[];
  bits: string[];
  stats: string[];
  fields: string[];
  flags: string[];
  /** Non-static function names of this driver (one C namespace per driver). */
  names: Set<string>;
  /** Generated non-static functions: prototypes go to the driver's proto header. */
  exported: (FnRef & { file: string })[];
  /** Hand-written functions that filler may call (none of them maps anything). */
  safe: FnRef[];
  /** Probability that a generated file uses `#if DBG ... #else ... #endif`. */
  elseRate: number;
}

const VERBS = [
  'Update',
  'Program',
  'Refresh',
  'Validate',
  'Compute',
  'Process',
  'Drain',
  'Fill',
  'Reclaim',
  'Dump',
  'Apply',
  'Query',
  'Set',
  'Reset',
  'Check',
  'Build',
  'Parse',
  'Translate',
  'Complete',
  'Prepare',
  'Enable',
  'Disable',
  'Flush',
  'Sync',
  'Init',
  'Clear',
  'Read',
  'Write',
  'Get',
  'Adjust',
  'Select',
  'Handle',
  'Record',
  'Release',
  'Acquire',
  'Poll',
  'Scan',
  'Arm',
  'Restore',
  'Save',
  'Account',
  'Advance',
  'Collect',
  'Convert',
  'Copy',
  'Detect',
  'Evaluate',
  'Lookup',
];

const QUALIFIERS = [
  '',
  '',
  '',
  '',
  'Locked',
  'Ex',
  'Internal',
  'Fast',
  'Slow',
  'All',
  'ForQueue',
  'FromDpc',
  'Passive',
  'Hw',
  'Sw',
  'Table',
  'State',
  'Counters',
  'Range',
  'Entry',
  'Bits',
  'Pending',
  'Deferred',
  'Once',
  'Cached',
  'Shadow',
  'Masked',
  'Default',
  'Current',
  'Next',
];

export const THEMES: Record<string, string[]> = {
  tx: [
    'TxRing',
    'TxDescriptor',
    'TxBuffer',
    'SendQueue',
    'TxContext',
    'TxCompletion',
    'TxHead',
    'TxTail',
    'Coalesce',
    'Padding',
  ],
  rx: [
    'RxRing',
    'RxDescriptor',
    'RxBuffer',
    'RecvQueue',
    'RxContext',
    'Indication',
    'Lookahead',
    'RxHead',
    'RxTail',
    'Split',
  ],
  oid: [
    'Oid',
    'InfoBuffer',
    'Request',
    'Capabilities',
    'Attributes',
    'Statistics',
    'PacketFilter',
    'Lookahead',
    'Offload',
  ],
  phy: ['Phy', 'Mdio', 'Link', 'Autoneg', 'Speed', 'Duplex', 'Cable', 'Downshift', 'Smartspeed', 'Gigabit'],
  nvm: ['Eeprom', 'Nvm', 'Word', 'Pba', 'Semaphore', 'Bank', 'Sector', 'Signature'],
  stats: ['Counter', 'Statistics', 'Octets', 'Errors', 'Collisions', 'Discards', 'Multicast', 'Broadcast'],
  power: ['Wol', 'PowerState', 'Pm', 'WakeFilter', 'ArpOffload', 'NsOffload', 'WakePattern', 'D0', 'D3'],
  rss: ['Rss', 'Indirection', 'HashKey', 'HashType', 'Queue', 'Processor', 'Steering'],
  vlan: ['Vlan', 'VlanFilter', 'Priority', 'Tag', 'Ieee8021Q', 'Stripping'],
  filter: ['PacketFilter', 'Multicast', 'Promiscuous', 'MacFilter', 'Unicast', 'Hash', 'Group'],
  intr: ['Interrupt', 'Moderation', 'Msix', 'Vector', 'Cause', 'InterruptMask', 'Throttle', 'Affinity'],
  mac: ['Mac', 'Address', 'FlowControl', 'PauseFrame', 'Ipg', 'Mtu', 'JumboFrame'],
  diag: ['Diag', 'Loopback', 'SelfTest', 'RegisterTest', 'Snapshot', 'Trace', 'Histogram'],
  cfg: ['Config', 'Registry', 'Parameter', 'Default', 'Keyword', 'Override', 'Limit'],
  dma: ['Dma', 'SharedMemory', 'Sg', 'Fragment', 'Alignment', 'Bounce', 'Coherent'],
  lso: ['Lso', 'Tso', 'Segment', 'Mss', 'Header', 'Checksum', 'Ipv6Ext'],
  csum: ['Checksum', 'Ipv4', 'Tcp', 'Udp', 'Pseudo', 'Fold', 'Partial'],
  vmq: ['Vmq', 'VPort', 'Queue', 'Filter', 'SwitchPort', 'VfMailbox', 'Sriov', 'Pf'],
  ring: ['Ring', 'Slot', 'Producer', 'Consumer', 'Index', 'Wrap', 'Credit'],
};

export const COMMENTS = [
  'The hardware latches this value on the next write to the control register.',
  'Read back to flush the posted write before the stall.',
  'Errata: the bit reads as zero for the first few microseconds after reset.',
  'Keep the shadow copy in sync; the register is write-only on older steppings.',
  'Counters are clear-on-read, so accumulate them into the software totals.',
  'Both halves must be written, low dword first.',
  'This path runs at DISPATCH_LEVEL with the adapter lock held.',
  'A value of all ones means the device has been surprise-removed.',
  'Do not touch the PHY while auto-negotiation is in progress.',
  'The descriptor is owned by software once the DD bit is set.',
  'NDIS may call us again before the previous request completes.',
  'Round up to the cache-line size so the DMA engine never splits a burst.',
  'Older firmware reports the field in units of 256 bytes.',
  'Only the low 12 bits carry the VLAN identifier.',
  'The queue index was validated by the caller.',
  'Completion must not be indicated with the send lock held.',
  'Leave the interrupt cause bits alone; the DPC clears them.',
  'TODO: move this into the per-queue context once VMQ support lands.',
  'Statistics are reported in 64-bit form even on 32-bit builds.',
  'The multicast table is hashed on the upper bits of the address.',
];

export const OIDS_NDIS6 = [
  'OID_GEN_SUPPORTED_LIST',
  'OID_GEN_HARDWARE_STATUS',
  'OID_GEN_MEDIA_SUPPORTED',
  'OID_GEN_MEDIA_IN_USE',
  'OID_GEN_MAXIMUM_FRAME_SIZE',
  'OID_GEN_LINK_SPEED',
  'OID_GEN_TRANSMIT_BUFFER_SPACE',
  'OID_GEN_RECEIVE_BUFFER_SPACE',
  'OID_GEN_TRANSMIT_BLOCK_SIZE',
  'OID_GEN_RECEIVE_BLOCK_SIZE',
  'OID_GEN_VENDOR_ID',
  'OID_GEN_VENDOR_DESCRIPTION',
  'OID_GEN_VENDOR_DRIVER_VERSION',
  'OID_GEN_CURRENT_PACKET_FILTER',
  'OID_GEN_CURRENT_LOOKAHEAD',
  'OID_GEN_DRIVER_VERSION',
  'OID_GEN_MAXIMUM_TOTAL_SIZE',
  'OID_GEN_MAC_OPTIONS',
  'OID_GEN_MEDIA_CONNECT_STATUS',
  'OID_GEN_MAXIMUM_SEND_PACKETS',
  'OID_GEN_XMIT_OK',
  'OID_GEN_RCV_OK',
  'OID_GEN_XMIT_ERROR',
  'OID_GEN_RCV_ERROR',
  'OID_GEN_RCV_NO_BUFFER',
  'OID_GEN_STATISTICS',
  'OID_GEN_INTERRUPT_MODERATION',
  'OID_GEN_LINK_PARAMETERS',
  'OID_802_3_PERMANENT_ADDRESS',
  'OID_802_3_CURRENT_ADDRESS',
  'OID_802_3_MULTICAST_LIST',
  'OID_802_3_MAXIMUM_LIST_SIZE',
  'OID_802_3_RCV_ERROR_ALIGNMENT',
  'OID_802_3_XMIT_ONE_COLLISION',
  'OID_802_3_XMIT_MORE_COLLISIONS',
  'OID_PNP_CAPABILITIES',
  'OID_PNP_SET_POWER',
  'OID_PNP_QUERY_POWER',
  'OID_PNP_ADD_WAKE_UP_PATTERN',
  'OID_PNP_REMOVE_WAKE_UP_PATTERN',
  'OID_PNP_ENABLE_WAKE_UP',
  'OID_TCP_OFFLOAD_PARAMETERS',
  'OID_OFFLOAD_ENCAPSULATION',
  'OID_GEN_RECEIVE_SCALE_PARAMETERS',
  'OID_GEN_RECEIVE_SCALE_CAPABILITIES',
  'OID_RECEIVE_FILTER_ALLOCATE_QUEUE',
  'OID_RECEIVE_FILTER_FREE_QUEUE',
  'OID_RECEIVE_FILTER_SET_FILTER',
  'OID_RECEIVE_FILTER_CLEAR_FILTER',
  'OID_GEN_VLAN_ID',
  'OID_GEN_INTERRUPT_MODERATION',
];

export const OIDS_NDIS5 = [
  'OID_GEN_SUPPORTED_LIST',
  'OID_GEN_HARDWARE_STATUS',
  'OID_GEN_MEDIA_SUPPORTED',
  'OID_GEN_MEDIA_IN_USE',
  'OID_GEN_MAXIMUM_LOOKAHEAD',
  'OID_GEN_MAXIMUM_FRAME_SIZE',
  'OID_GEN_LINK_SPEED',
  'OID_GEN_TRANSMIT_BUFFER_SPACE',
  'OID_GEN_RECEIVE_BUFFER_SPACE',
  'OID_GEN_VENDOR_ID',
  'OID_GEN_VENDOR_DESCRIPTION',
  'OID_GEN_CURRENT_PACKET_FILTER',
  'OID_GEN_CURRENT_LOOKAHEAD',
  'OID_GEN_DRIVER_VERSION',
  'OID_GEN_MAXIMUM_TOTAL_SIZE',
  'OID_GEN_PROTOCOL_OPTIONS',
  'OID_GEN_MAC_OPTIONS',
  'OID_GEN_MEDIA_CONNECT_STATUS',
  'OID_GEN_MAXIMUM_SEND_PACKETS',
  'OID_GEN_XMIT_OK',
  'OID_GEN_RCV_OK',
  'OID_GEN_XMIT_ERROR',
  'OID_GEN_RCV_ERROR',
  'OID_GEN_RCV_NO_BUFFER',
  'OID_802_3_PERMANENT_ADDRESS',
  'OID_802_3_CURRENT_ADDRESS',
  'OID_802_3_MULTICAST_LIST',
  'OID_802_3_MAXIMUM_LIST_SIZE',
  'OID_802_3_RCV_ERROR_ALIGNMENT',
  'OID_802_3_XMIT_ONE_COLLISION',
  'OID_802_3_XMIT_MORE_COLLISIONS',
  'OID_PNP_CAPABILITIES',
  'OID_PNP_SET_POWER',
  'OID_PNP_QUERY_POWER',
];

/** Indents every line but preprocessor lines and labels. */
export function indent(lines: string[], n = 1): string[] {
  const pad = '    '.repeat(n);
  return lines.map((l) => (l === '' || l.startsWith('#') ? l : pad + l));
}

export class CodeGen {
  private readonly oids: string[];

  constructor(
    readonly d: Drv,
    readonly rng: Rng,
  ) {
    this.oids = d.ndis5 ? OIDS_NDIS5 : OIDS_NDIS6;
  }

  // ---------------------------------------------------------------- names

  /** A fresh function name; non-static names are unique in the driver, static ones in the file. */
  name(theme: string, isStatic: boolean, fileNames: Set<string>): string {
    const nouns = THEMES[theme] ?? THEMES.diag;
    for (let attempt = 0; attempt < 200; attempt++) {
      const base = this.rng.pick(VERBS) + this.rng.pick(nouns) + this.rng.pick(QUALIFIERS);
      const n = isStatic ? base : this.d.P + base;
      if (fileNames.has(n) || this.d.names.has(n) || this.d.names.has(this.d.P + n)) continue;
      fileNames.add(n);
      if (!isStatic) this.d.names.add(n);
      return n;
    }
    throw new Error('name space exhausted');
  }

  // ---------------------------------------------------------------- signatures

  retType(sig: Sig): string {
    switch (sig) {
      case 'v':
      case 'vu':
        return 'VOID';
      case 'su':
        return 'NDIS_STATUS';
      case 'uu':
        return 'ULONG';
      case 'b':
        return 'BOOLEAN';
    }
  }

  private params(sig: Sig, annotate: boolean): string[] {
    const d = this.d;
    const ann = (a: string) => (annotate ? (d.ndis5 ? 'IN ' : a + ' ') : '');
    const ps = [`${ann('_In_')}${d.PA} Adapter`];
    if (sig !== 'v' && sig !== 'b') ps.push(`${ann('_In_')}ULONG ${sig === 'uu' ? 'Index' : 'Value'}`);
    return ps;
  }

  /** Prototype lines for the driver's header. */
  prototype(fn: FnRef): string[] {
    const d = this.d;
    const ps = this.params(fn.sig, true);
    const out: string[] = [];
    if (!d.ndis5 && this.rng.chance(0.3))
      out.push(
        this.rng.pick([
          '_IRQL_requires_max_(DISPATCH_LEVEL)',
          '_IRQL_requires_(PASSIVE_LEVEL)',
          '_IRQL_requires_(DISPATCH_LEVEL)',
        ]),
      );
    if (!d.ndis5 && fn.sig === 'su' && this.rng.chance(0.5)) out.push('_Must_inspect_result_');
    out.push(this.retType(fn.sig));
    if (d.ndis5) out[out.length - 1] += ' NTAPI';
    out.push(`${fn.name}(`);
    ps.forEach((p, i) => out.push(`    ${p}${i < ps.length - 1 ? ',' : ''}`));
    out.push('    );');
    out.push('');
    return out;
  }

  // ---------------------------------------------------------------- statements

  private reg(): string {
    return this.rng.pick(this.d.regs);
  }

  private bit(): string {
    return this.rng.pick(this.d.bits);
  }

  private bits2(): string {
    const a = this.bit();
    let b = this.bit();
    if (b === a) b = this.bit();
    return a === b ? a : `${a} | ${b}`;
  }

  private field(): string {
    return this.rng.pick(this.d.fields);
  }

  private cond(): string {
    const r = this.rng;
    switch (r.int(0, 7)) {
      case 0:
        return `(value & ${this.bit()}) != 0`;
      case 1:
        return `Adapter->${this.field()} > ${r.pick(['4', '16', '64', '0x100', '1500', `${this.d.U}_MAX_QUEUES`])}`;
      case 2:
        return `Adapter->${r.pick(this.d.flags)}`;
      case 3:
        return `!Adapter->${r.pick(this.d.flags)}`;
      case 4:
        return `value == 0xFFFFFFFF`;
      case 5:
        return `(value & (${this.bits2()})) == 0`;
      case 6:
        return `count >= Adapter->${this.field()}`;
      default:
        return `i < ${r.pick(['count', `Adapter->${this.field()}`, `${this.d.U}_MAX_QUEUES`])}`;
    }
  }

  private ifOpen(cond: string): string[] {
    return this.d.style === 'knr' ? [`if (${cond}) {`] : [`if (${cond})`, '{'];
  }

  private elseOpen(): string[] {
    return this.d.style === 'knr' ? ['} else {'] : ['}', 'else', '{'];
  }

  private loopOpen(head: string): string[] {
    return this.d.style === 'knr' ? [`${head} {`] : [head, '{'];
  }

  private call(fn: FnRef, ctx: BodyCtx): string[] {
    switch (fn.sig) {
      case 'v':
        return [`${fn.name}(Adapter);`];
      case 'vu':
        return [`${fn.name}(Adapter, ${this.rng.pick(['value', 'i', 'count', `Adapter->${this.field()}`])});`];
      case 'uu':
        return [`count += ${fn.name}(Adapter, ${this.rng.pick(['i', 'value & 0xFF', '0'])});`];
      case 'b':
        return [...this.ifOpen(`${fn.name}(Adapter)`), `    count++;`, '}'];
      case 'su': {
        const lines = [`status = ${fn.name}(Adapter, value);`];
        if (ctx.sig === 'su') {
          ctx.usesExit = true;
          lines.push(...this.ifOpen('status != NDIS_STATUS_SUCCESS'), '    goto Exit;', '}');
        } else {
          lines.push(
            ...this.ifOpen('status != NDIS_STATUS_SUCCESS'),
            `    Adapter->${this.rng.pick(this.d.stats)}++;`,
            '}',
          );
        }
        return lines;
      }
    }
  }

  private simple(ctx: BodyCtx): string[] {
    const r = this.rng;
    const d = this.d;
    const k = r.weighted<number>([
      [6, 0],
      [4, 1],
      [5, 2],
      [3, 3],
      [3, 4],
      [2, 5],
      [2, 6],
      [1, 7],
      [1, 8],
      [2, 9],
      [1, 10],
      [1, 11],
    ]);
    switch (k) {
      case 0:
        return [`value = ${d.regRead}(Adapter, ${this.reg()});`];
      case 1:
        return [
          r.pick([
            `value |= ${this.bits2()};`,
            `value &= ~(${this.bits2()});`,
            `value = (value & ~0x${r.hex(2)}) | (count & 0x${r.hex(2)});`,
            `value ^= ${this.bit()};`,
          ]),
        ];
      case 2:
        return [`${d.regWrite}(Adapter, ${this.reg()}, value);`];
      case 3:
        return [
          r.pick([
            `Adapter->${r.pick(d.stats)} += value;`,
            `Adapter->${r.pick(d.stats)}++;`,
            `Adapter->${r.pick(d.stats)} += count;`,
          ]),
        ];
      case 4:
        return [
          r.pick([
            `Adapter->${this.field()} = value;`,
            `count += Adapter->${this.field()};`,
            `value = Adapter->${this.field()} << ${String(r.int(1, 12))};`,
            `Adapter->${this.field()} = count & 0x${r.hex(3)};`,
          ]),
        ];
      case 5: {
        const callees = ctx.callees;
        if (callees.length > 0) return this.call(r.pick(callees), ctx);
        return [`NdisStallExecution(${r.pick(['1', '5', '10', '50', '100'])});`];
      }
      case 6:
        return [
          `${d.trace}(${r.pick(['TRACE_LEVEL_VERBOSE', 'TRACE_LEVEL_INFORMATION', 'TRACE_LEVEL_WARNING'])}, "${ctx.name}: ${r.pick(['value', 'reg', 'state', 'count'])} %08x\\n", ${r.pick(['value', 'count'])});`,
        ];
      case 7:
        return [
          `ASSERT(${r.pick(['value != 0xFFFFFFFF', 'count <= 0x10000', `Adapter->${this.field()} != 0`, 'Adapter != NULL'])});`,
        ];
      case 8:
        return [`NdisStallExecution(${r.pick(['1', '5', '10', '50', '100'])});`];
      case 9:
        return [`// ${r.pick(COMMENTS)}`];
      case 10:
        return [
          d.ndis5
            ? `NdisInterlockedIncrement((PLONG)&Adapter->${this.field()});`
            : `InterlockedIncrement((volatile LONG *)&Adapter->${this.field()});`,
        ];
      default:
        return [
          `count = (count + ${r.pick(['1', '3', '7', '15', '63'])}) & ~${r.pick(['1', '3', '7', '15', '63'])}UL;`,
        ];
    }
  }

  private block(ctx: BodyCtx, depth: number, n: number): string[] {
    const out: string[] = [];
    const r = this.rng;
    for (let s = 0; s < n; s++) {
      const compound =
        depth < 3
          ? r.weighted<number>([
              [14, 0],
              [4, 1],
              [2, 2],
              [1, 3],
              [1, 4],
              [1, 5],
            ])
          : 0;
      switch (compound) {
        case 0:
          out.push(...this.simple(ctx));
          break;
        case 1: {
          out.push(...this.ifOpen(this.cond()));
          out.push(...indent(this.block(ctx, depth + 1, r.int(1, 4))));
          if (r.chance(0.35)) {
            out.push(...this.elseOpen());
            out.push(...indent(this.block(ctx, depth + 1, r.int(1, 3))));
          }
          out.push('}');
          break;
        }
        case 2: {
          out.push(
            ...this.loopOpen(
              `for (i = 0; i < ${r.pick(['count', `${this.d.U}_MAX_QUEUES`, `Adapter->${this.field()}`, String(r.int(2, 64))])}; i++)`,
            ),
          );
          out.push(...indent(this.block(ctx, depth + 1, r.int(1, 4))));
          if (r.chance(0.3)) out.push(...indent([...this.ifOpen(this.cond()), '    break;', '}']));
          out.push('}');
          break;
        }
        case 3: {
          out.push(...this.loopOpen(`switch (value & 0x${r.hex(1)}${r.pick(['0', 'F'])})`));
          const cases = r.int(2, 5);
          const used = new Set<number>();
          for (let c = 0; c < cases; c++) {
            let v = r.int(0, 15);
            while (used.has(v)) v = (v + 1) % 16;
            used.add(v);
            out.push(`case 0x${v.toString(16).toUpperCase()}:`);
            out.push(...indent(this.block(ctx, depth + 2, r.int(1, 3))));
            out.push('    break;');
          }
          out.push('default:', '    break;', '}');
          break;
        }
        case 4: {
          const lock = this.d.ndis5
            ? 'NdisDprAcquireSpinLock'
            : r.pick(['NdisAcquireSpinLock', 'NdisDprAcquireSpinLock']);
          const unlock = lock.replace('Acquire', 'Release');
          out.push(`${lock}(&Adapter->Lock);`);
          out.push(...this.block(ctx, depth + 1, r.int(1, 4)));
          out.push(`${unlock}(&Adapter->Lock);`);
          break;
        }
        default: {
          out.push('#if DBG');
          out.push(...this.block(ctx, 3, r.int(1, 3)));
          if (ctx.allowElse && r.chance(0.4)) {
            out.push('#else');
            out.push(`UNREFERENCED_PARAMETER(${r.pick(['count', 'value'])});`);
          }
          out.push('#endif');
          break;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- functions

  private docLines(name: string, sig: Sig, theme: string): { above: string[]; inside: string[] } {
    const r = this.rng;
    const what = r.pick(COMMENTS);
    const purpose = `${r.pick(['Handles', 'Programs', 'Updates', 'Computes', 'Walks', 'Validates', 'Refreshes'])} the ${r
      .pick(THEMES[theme] ?? THEMES.diag)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()} ${r.pick(['state', 'registers', 'bookkeeping', 'table', 'counters', 'settings'])}.`;
    const ret =
      sig === 'su'
        ? 'NDIS_STATUS_SUCCESS or a failure status.'
        : sig === 'uu'
          ? 'The computed value.'
          : sig === 'b'
            ? 'TRUE if the condition holds.'
            : 'None.';
    switch (this.d.doc) {
      case 'ms-inside':
        return {
          above: [],
          inside: [
            '/*++',
            '',
            'Routine Description:',
            '',
            `    ${purpose}`,
            `    ${what}`,
            '',
            'Arguments:',
            '',
            '    Adapter - Pointer to the adapter context.',
            ...(sig !== 'v' && sig !== 'b' ? ['    Value - Caller-supplied value.'] : []),
            '',
            'Return Value:',
            '',
            `    ${ret}`,
            '',
            '--*/',
          ],
        };
      case 'ms-above':
        return {
          above: [
            '/*++',
            '',
            `Routine Name: ${name}`,
            '',
            `    ${purpose}`,
            '',
            `IRQL: ${r.pick(['PASSIVE_LEVEL', '<= DISPATCH_LEVEL', 'DISPATCH_LEVEL'])}`,
            '',
            '--*/',
          ],
          inside: [],
        };
      case 'banner':
        return { above: ['//', `// ${name}`, '//', `// ${purpose}`, `// ${what}`, '//'], inside: [] };
      case 'doxygen':
        return {
          above: ['/**', ` * @brief ${purpose}`, ` * @param Adapter adapter context`, ` * @return ${ret}`, ' */'],
          inside: [],
        };
      default:
        return { above: r.chance(0.6) ? [`/* ${purpose} */`] : [], inside: [] };
    }
  }

  /** A whole function definition. */
  fn(name: string, sig: Sig, isStatic: boolean, theme: string, callees: FnRef[], allowElse: boolean): string[] {
    const d = this.d;
    const r = this.rng;
    const ctx: BodyCtx = { name, sig, callees, usesExit: false, allowElse };
    const kind = r.weighted<string>([
      [10, 'generic'],
      [3, 'ring'],
      [2, d.ndis5 ? 'pktwalk' : 'nblwalk'],
      [2, 'stats'],
      [1, 'oid'],
      [1, 'table'],
      [1, 'dbgdump'],
    ]);
    if (kind === 'table') return this.tableFn(name, sig, isStatic, theme);
    if (kind === 'dbgdump' && allowElse) return this.dbgDumpFn(name, sig, isStatic, theme);

    let body: string[];
    const locals = ['ULONG value = 0;', 'ULONG count = 0;', 'ULONG i;'];
    if (sig === 'su') locals.push('NDIS_STATUS status = NDIS_STATUS_SUCCESS;');
    else if (ctx.callees.some((c) => c.sig === 'su')) locals.push('NDIS_STATUS status;');
    if (sig === 'b') locals.push('BOOLEAN result = FALSE;');

    switch (kind) {
      case 'ring':
        locals.push(`P${d.U}_RING ring;`, `P${d.U}_DESC desc;`);
        body = this.ringBody(ctx);
        break;
      case 'nblwalk':
        locals.push('PNET_BUFFER_LIST nbl;', 'PNET_BUFFER nb;');
        body = this.nblBody(ctx);
        break;
      case 'pktwalk':
        locals.push('PNDIS_PACKET packet;', 'UINT totalLength;', 'UINT bufferCount;', 'PNDIS_BUFFER buffer;');
        body = this.pktBody(ctx);
        break;
      case 'stats':
        body = this.statsBody(ctx);
        break;
      case 'oid':
        body = this.oidBody(ctx);
        break;
      default:
        body = this.block(ctx, 0, r.int(4, 14));
    }

    const out: string[] = [];
    const doc = this.docLines(name, sig, theme);
    out.push(...doc.above);
    const annotated = isStatic || d.ndis5;
    if (!isStatic && !d.ndis5) out.push('_Use_decl_annotations_');
    if (isStatic) out.push(r.chance(0.3) && !d.ndis5 ? 'static FORCEINLINE' : 'static');
    if (isStatic && !d.ndis5 && r.chance(0.3)) out.push('_IRQL_requires_max_(DISPATCH_LEVEL)');
    out.push(this.retType(sig) + (d.ndis5 && !isStatic ? ' NTAPI' : ''));
    const ps = this.params(sig, annotated);
    if (r.chance(0.3) && ps.length === 1) {
      out.push(`${name}(${ps[0]})`);
    } else {
      out.push(`${name}(`);
      ps.forEach((p, i) => out.push(`    ${p}${i < ps.length - 1 ? ',' : d.style === 'allman' ? '' : ')'}`));
      if (d.style === 'allman') out.push('    )');
    }
    out.push(...doc.inside);
    out.push('{');
    out.push(...indent(locals));
    out.push('');
    if (!d.ndis5 && r.chance(0.15)) out.push('    PAGED_CODE();', '');
    out.push(...indent(body));
    if (ctx.usesExit) {
      out.push('', 'Exit:');
      out.push(...indent([`${d.trace}(TRACE_LEVEL_VERBOSE, "<-- ${name} %08x\\n", status);`]));
    }
    if (sig === 'su') out.push('    return status;');
    else if (sig === 'uu') out.push('    return value + count;');
    else if (sig === 'b') out.push('    result = (count != 0);', '    return result;');
    out.push('}', '');
    return out;
  }

  private ringBody(ctx: BodyCtx): string[] {
    const d = this.d;
    const r = this.rng;
    const q = r.pick(['Tx', 'Rx']);
    const out: string[] = [];
    out.push(`ring = &Adapter->${q}Ring[${r.pick(['0', 'value % ' + d.U + '_MAX_QUEUES'])}];`);
    out.push(`count = ${d.regRead}(Adapter, ${this.reg()});`);
    out.push(...this.loopOpen('while (ring->Head != ring->Tail)'));
    const body: string[] = [];
    body.push('desc = &ring->Desc[ring->Head];');
    body.push(...this.ifOpen(`(desc->Status & ${d.U}_DESC_STATUS_DD) == 0`), '    break;', '}');
    body.push(...this.block(ctx, 2, r.int(1, 4)));
    body.push(`desc->Status = 0;`);
    body.push(`ring->Head = (ring->Head + 1) & (ring->Count - 1);`);
    body.push(`Adapter->${r.pick(d.stats)}++;`);
    out.push(...indent(body));
    out.push('}');
    out.push(`${d.regWrite}(Adapter, ${this.reg()}, ring->Tail);`);
    out.push(...this.block(ctx, 1, r.int(1, 4)));
    return out;
  }

  private nblBody(ctx: BodyCtx): string[] {
    const d = this.d;
    const r = this.rng;
    const out: string[] = [];
    out.push(`nbl = Adapter->${r.pick(['PendingSendList', 'CompletedList', 'RecvIndicateList'])};`);
    out.push(...this.loopOpen('for (; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))'));
    const inner: string[] = [];
    inner.push(...this.loopOpen('for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb))'));
    inner.push(
      ...indent([
        'value += NET_BUFFER_DATA_LENGTH(nb);',
        ...this.ifOpen(`NET_BUFFER_DATA_LENGTH(nb) > ${d.U}_MAX_FRAME_SIZE`),
        `    Adapter->${r.pick(d.stats)}++;`,
        '    continue;',
        '}',
        'count++;',
        ...this.block(ctx, 2, r.int(0, 2)),
      ]),
    );
    inner.push('}');
    inner.push(
      `NET_BUFFER_LIST_STATUS(nbl) = ${r.pick(['NDIS_STATUS_SUCCESS', 'NDIS_STATUS_PAUSED', 'NDIS_STATUS_RESOURCES'])};`,
    );
    out.push(...indent(inner));
    out.push('}');
    out.push(...this.block(ctx, 1, r.int(1, 3)));
    return out;
  }

  private pktBody(ctx: BodyCtx): string[] {
    const d = this.d;
    const r = this.rng;
    const out: string[] = [];
    out.push(...this.loopOpen(`for (i = 0; i < Adapter->PendingPacketCount; i++)`));
    out.push(
      ...indent([
        'packet = Adapter->PendingPackets[i];',
        'NdisQueryPacket(packet, NULL, &bufferCount, &buffer, &totalLength);',
        ...this.ifOpen(`totalLength > ${d.U}_MAX_FRAME_SIZE`),
        `    Adapter->${r.pick(d.stats)}++;`,
        '    continue;',
        '}',
        'value += totalLength;',
        'count += bufferCount;',
        ...this.block(ctx, 2, r.int(0, 2)),
      ]),
    );
    out.push('}');
    out.push(...this.block(ctx, 1, r.int(1, 3)));
    return out;
  }

  private statsBody(ctx: BodyCtx): string[] {
    const d = this.d;
    const r = this.rng;
    const out: string[] = [];
    const n = r.int(6, 20);
    for (let k = 0; k < n; k++) {
      out.push(`Adapter->${r.pick(d.stats)} += ${d.regRead}(Adapter, ${this.reg()});`);
    }
    out.push(...this.block(ctx, 1, r.int(1, 3)));
    return out;
  }

  private oidBody(ctx: BodyCtx): string[] {
    const r = this.rng;
    const out: string[] = [];
    out.push(...this.loopOpen('switch (Adapter->LastOid)'));
    for (const oid of r.sample(this.oids, r.int(5, 14))) {
      out.push(`case ${oid}:`);
      out.push(...indent(r.chance(0.5) ? [`value = Adapter->${this.field()};`] : this.block(ctx, 2, r.int(1, 2))));
      out.push('    break;');
      out.push('');
    }
    out.push('default:', '    value = 0;', '    break;', '}');
    return out;
  }

  private tableFn(name: string, sig: Sig, isStatic: boolean, theme: string): string[] {
    const d = this.d;
    const r = this.rng;
    const tname = `${name}Table`;
    const n = r.int(8, 40);
    const out: string[] = [];
    out.push(`static const ULONG ${tname}[${String(n)}] = {`);
    for (let k = 0; k < n; k += 4) {
      const row: string[] = [];
      for (let j = k; j < Math.min(n, k + 4); j++) row.push(`0x${r.hex(8)}`);
      out.push(`    ${row.join(', ')},`);
    }
    out.push('};', '');
    const doc = this.docLines(name, sig, theme);
    out.push(...doc.above);
    if (!isStatic && !d.ndis5) out.push('_Use_decl_annotations_');
    if (isStatic) out.push('static');
    out.push(this.retType(sig) + (d.ndis5 && !isStatic ? ' NTAPI' : ''));
    const ps = this.params(sig, isStatic || d.ndis5);
    out.push(`${name}(${ps.join(', ')})`);
    out.push(...doc.inside);
    out.push('{');
    const locals = ['ULONG i;', 'ULONG value = 0;'];
    if (sig === 'su') locals.push('NDIS_STATUS status = NDIS_STATUS_NOT_SUPPORTED;');
    out.push(...indent(locals), '');
    out.push(
      ...indent([
        ...this.loopOpen(`for (i = 0; i < RTL_NUMBER_OF(${tname}); i++)`),
        ...indent([
          ...this.ifOpen(`${tname}[i] == Adapter->${this.field()}`),
          `    value = i;`,
          ...(sig === 'su' ? ['    status = NDIS_STATUS_SUCCESS;'] : []),
          '    break;',
          '}',
        ]),
        '}',
      ]),
    );
    if (sig === 'vu') out.push(`    ${d.regWrite}(Adapter, ${this.reg()}, value ^ Value);`);
    if (sig === 'v') out.push(`    Adapter->${this.field()} = value;`);
    if (sig === 'su') out.push('    return status;');
    else if (sig === 'uu') out.push('    return value + Index;');
    else if (sig === 'b') out.push('    return (BOOLEAN)(value != 0);');
    out.push('}', '');
    return out;
  }

  private dbgDumpFn(name: string, sig: Sig, isStatic: boolean, theme: string): string[] {
    // Two builds of the same function: a checked-build dump and a stub.
    const d = this.d;
    const r = this.rng;
    const head = (annot: boolean) => {
      const h: string[] = [];
      if (!isStatic && !d.ndis5) h.push('_Use_decl_annotations_');
      if (isStatic) h.push('static');
      h.push(this.retType(sig) + (d.ndis5 && !isStatic ? ' NTAPI' : ''));
      h.push(`${name}(${this.params(sig, annot && (isStatic || d.ndis5)).join(', ')})`);
      return h;
    };
    const ret =
      sig === 'su'
        ? ['    return NDIS_STATUS_SUCCESS;']
        : sig === 'uu'
          ? ['    return 0;']
          : sig === 'b'
            ? ['    return FALSE;']
            : [];
    const out: string[] = [];
    out.push(...this.docLines(name, sig, theme).above);
    out.push('#if DBG');
    out.push(...head(true), '{', '    ULONG i;', '    ULONG value;', '');
    out.push(
      ...indent([
        `DbgPrint("${d.U}: ${name} adapter %p\\n", Adapter);`,
        ...this.loopOpen(`for (i = 0; i < ${String(r.int(4, 32))}; i++)`),
        ...indent([`value = ${d.regRead}(Adapter, ${this.reg()} + i * 4);`, `DbgPrint("  [%02u] %08x\\n", i, value);`]),
        '}',
      ]),
    );
    out.push(...ret, '}');
    out.push('#else');
    out.push(...head(true), '{', '    UNREFERENCED_PARAMETER(Adapter);');
    if (sig === 'vu') out.push('    UNREFERENCED_PARAMETER(Value);');
    if (sig === 'uu') out.push('    UNREFERENCED_PARAMETER(Index);');
    out.push(...ret, '}');
    out.push('#endif', '');
    return out;
  }

  /** Lines of filler functions, about `target` lines; records non-static ones in the driver. */
  fillFunctions(
    file: string,
    theme: string,
    target: number,
    fileNames: Set<string>,
    opts: { staticRate?: number; allowElse?: boolean } = {},
  ): string[] {
    const r = this.rng;
    const out: string[] = [];
    const local: FnRef[] = [];
    const staticRate = opts.staticRate ?? 0.5;
    while (out.length < target) {
      const isStatic = r.chance(staticRate);
      const sig = r.weighted<Sig>([
        [4, 'v'],
        [4, 'vu'],
        [3, 'su'],
        [2, 'uu'],
        [2, 'b'],
      ]);
      const name = this.name(theme, isStatic, fileNames);
      // Callees: earlier functions of this file and the driver's exported or safe helpers.
      const pool: FnRef[] = [...local.slice(-6)];
      for (const f of r.sample(this.d.exported, 3)) pool.push(f);
      for (const f of r.sample(this.d.safe, 1)) pool.push(f);
      const callees = r.sample(pool, r.int(0, 4));
      out.push(...this.fn(name, sig, isStatic, theme, callees, opts.allowElse ?? false));
      const ref = { name, sig };
      local.push(ref);
      if (!isStatic) this.d.exported.push({ ...ref, file });
    }
    return out;
  }
}

interface BodyCtx {
  name: string;
  sig: Sig;
  callees: FnRef[];
  usesExit: boolean;
  allowElse: boolean;
}
