/**
 * The app's configuration is the shared one (`src/review/config.ts`): the
 * CLI and the Action read the same file with the same messages. Kept as the
 * app's import path.
 */
export { DEFAULT_CONFIG, parseConfig } from '../review/config.js';
export { pathMatches } from '../review/paths.js';
