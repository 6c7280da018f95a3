/** The calls the mutation operators edit, as data for the operators (the labels are about these two). */
export const MAP_API = 'NdisMMapIoSpace';
export const RELEASE_API = 'NdisMUnmapIoSpace';

export const RULE_CONTEXT = 'ndis/mmap-context';
export const RULE_ON_FAILURE = 'ndis/unmap-on-failure';
export const RULE_IN_HALT = 'ndis/unmap-in-halt';
export const RULE_LENGTH = 'ndis/unmap-length';

/** The failure an edited exit returns: a constant every NDIS version defines. */
export const FAILURE_RETURN = 'return NDIS_STATUS_FAILURE;';
