/** The rules stage: see rules/index.ts and one module per rule kind. */
export * from './rules/index.js';
