/* Real-code shapes: the delay is a #define built from others, and the stall is wrapped in a macro. */
#include <ndis.h>

#define MS_TO_US(ms) ((ms) * 1000)
#define EEPROM_DELAY_US (2 * 100)
#define NIC_DELAY(us) NdisStallExecution(us)

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

static VOID NicEepromClock(PNIC nic)
{
    NdisStallExecution(EEPROM_DELAY_US); // EXPECT: ndis/stall-execution-delay:direct
    NIC_DELAY(MS_TO_US(2)); // EXPECT: ndis/stall-execution-delay:throughMacro
    NIC_DELAY(5);
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NicEepromClock((PNIC)c);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
