/** Generated driver sources for the app's tests. */

/** An initialize with `n` failure gotos that each leak the mapping: n `ndis/unmap-on-failure` findings. */
export function leakyDriver(n: number): string {
  const steps = Array.from(
    { length: n },
    (_, i) => `    s = Step${String(i)}(a); if (s != NDIS_STATUS_SUCCESS) goto Out;`,
  ).join('\n');
  return `typedef struct _A { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } A, *PA;
MINIPORT_INITIALIZE Init;
MINIPORT_HALT Halt;
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)
{
    PA a = (PA)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, 0x100);
    if (s != NDIS_STATUS_SUCCESS) return s;
${steps}
    return NDIS_STATUS_SUCCESS;
Out:
    return s;
}
VOID Halt(NDIS_HANDLE c, ULONG x) { PA a = (PA)c; NdisMUnmapIoSpace(a->H, a->Regs, 0x100); }
`;
}
