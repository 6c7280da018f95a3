/**
 * A rule tester in the manner of ESLint's: each case is a small repository
 * given as file texts, with `EXPECT:` markers (as in the shared cases) on
 * the lines where findings are due. The scan runs through the engine's real
 * entry point with the texts passed as files.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scan } from '../../src/engine/scan.js';
import type { ScanResult } from '../../src/engine/types.js';

export interface RuleCase {
  name: string;
  /** path → C text; markers `// EXPECT: rule-id` say where findings are due. */
  files: Record<string, string>;
  /** Rules compared (others are ignored); default: all four NDIS rules. */
  rules?: string[];
  /** Extra checks on the result. */
  check?: (result: ScanResult) => void;
}

const ALL = ['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length'];

/**
 * `path:line rule` for each marker; a marker may name the message id too
 * (`// EXPECT: ndis/unmap-on-failure:leak`), as ESLint's rule tester asserts
 * `messageId`: then the expectation is `path:line rule:messageId`.
 */
export function expectedIn(files: Record<string, string>, rules: string[]): string[] {
  const out: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    text.split('\n').forEach((line, i) => {
      const m = /EXPECT:\s*([\w/:, -]+)/.exec(line);
      if (!m) return;
      for (const r of m[1]
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean))
        if (rules.includes(r.split(':')[0])) out.push(`${path}:${String(i + 1)} ${r}`);
    });
  }
  return out.sort();
}

/** Scans C texts in memory; `enable` turns preview rules on, as a configuration naming them does. */
export async function scanTexts(files: Record<string, string>, enable: readonly string[] = []): Promise<ScanResult> {
  return scan({
    root: '<test>',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text, 'latin1') })),
    workers: 0,
    enable,
  });
}

export function ruleTester(suite: string, cases: RuleCase[]): void {
  for (const c of cases) {
    test(`${suite}: ${c.name}`, async () => {
      const rules = c.rules ?? ALL;
      const result = await scanTexts(c.files, rules);
      const expected = expectedIn(c.files, rules);
      // Message ids are compared only where the markers name them.
      const withIds = new Set(
        expected.filter((e) => e.includes(':', e.indexOf(' '))).map((e) => e.split(':').slice(0, 2).join(':')),
      );
      const actual = result.findings
        .filter((f) => rules.includes(f.rule))
        .map((f) =>
          withIds.has(`${f.path}:${String(f.line)} ${f.rule}`.split(':').slice(0, 2).join(':'))
            ? `${f.path}:${String(f.line)} ${f.rule}:${f.messageId ?? '?'}`
            : `${f.path}:${String(f.line)} ${f.rule}`,
        )
        .sort();
      assert.deepEqual(actual, expected);
      c.check?.(result);
    });
  }
}

/** A minimal NDIS 6 driver frame: characteristics registration in DriverEntry. */
export function driverEntry(init: string, halt: string, extra: Record<string, string> = {}): string {
  const lines = Object.entries(extra)
    .map(([field, fn]) => `    c.${field} = ${fn};`)
    .join('\n');
  return `
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NDIS_HANDLE h;
    NdisZeroMemory(&c, sizeof(c));
    c.InitializeHandlerEx = ${init};
    c.HaltHandlerEx = ${halt};
${lines}
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &h);
}
`;
}

export const ADAPTER = `
#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; PVOID Regs2; NDIS_PHYSICAL_ADDRESS Pa; BOOLEAN Mapped; ULONG Len; } ADAPTER, *PADAPTER;
`;

/** An initialize callback `MpInit` that maps `ADAPTER.Regs` and returns the mapping's status. */
export const MAP_INIT = `NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
}`;
