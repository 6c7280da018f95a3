/**
 * Constructs met in public drivers that tree-sitter cannot read as written,
 * each small and from scratch: the function around them must still be
 * analysed (its leak found) and the file must not count as damaged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTexts, ADAPTER, driverEntry } from './support/ruleTester.js';

/** An initialize with one leaking return; `inside` goes before the mapping, `prelude` at file scope. */
function driver(prelude: string, inside: string): string {
  return `${prelude}
${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
${inside}
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE; /* LEAK */
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
}

const SHAPES: Record<string, { prelude?: string; inside?: string; extra?: string }> = {
  'an old SAL annotation with no arguments on a parameter': {
    prelude: 'NDIS_STATUS AllocPort(__in PADAPTER a, __deref_out_opt PVOID *Port) { *Port = 0; return 0; }',
  },
  'a typedef whose type MSVC implies (`typedef __declspec(align(n)) NAME;`)': {
    inside: '    typedef __declspec(align(16)) CfgBuf;\n    CfgBuf buffer[64];',
  },
  'a project ASSERT that is an `if` statement, used without `;`': {
    prelude: '#if DBG\n#define ASSERT(x) if (!(x)) { DbgBreakPoint(); }\n#else\n#define ASSERT(x)\n#endif',
    inside: '    ASSERT(a != NULL)',
  },
  'a WHILE macro holding __pragma, closing a do loop': {
    prelude: '#define WHILE(c) while (__pragma(warning(disable:4127)) c __pragma(warning(default:4127)))',
    inside: '    do { s = 0; } WHILE (FALSE);',
  },
  'a WHILE macro that ends the loop itself, __pragma around it (`} WHILE (FALSE);`)': {
    prelude:
      '#define WHILE(constant) \\\n__pragma(warning(disable: 4127)) while(constant); __pragma(warning(default: 4127))',
    inside: '    do {\n        s = 0;\n    } WHILE (FALSE);\n    if (s) { s = 1; }',
  },
  'an extern "C" block for C++ compilers': {
    prelude: '#ifdef __cplusplus\nextern "C" {\n#endif\nVOID Helper(PVOID p);\n#ifdef __cplusplus\n}\n#endif',
  },
  'a function whose return type is an implied int': {
    prelude: '__inline\nSEND_STATS(PVOID a)\n{\n    return 0;\n}',
  },
  'try and except in C (the WDK keywords without underscores)': {
    inside: '    try {\n        s = 1;\n    }\n    except (1) { s = 2; }',
  },
};

for (const [name, shape] of Object.entries(SHAPES)) {
  test(`real-code shape: ${name}`, async () => {
    const text = driver(shape.prelude ?? '', shape.inside ?? '');
    const r = await scanTexts({ 'mp.c': text });
    const leak = text.split('\n').findIndex((l) => l.includes('/* LEAK */')) + 1;
    assert.deepEqual(
      r.findings.map((f) => `${String(f.line)} ${f.rule}`),
      [`${String(leak)} ndis/unmap-on-failure`],
      JSON.stringify(r.notices),
    );
    assert.equal(r.stats.health.damagedFiles, 0, JSON.stringify(r.notices));
    assert.deepEqual(r.stats.health.damagedFunctions, []);
  });
}
