/**
 * Rules of ndis-review itself rather than of a rule pack: they report on how
 * the tool is used (a suppression that suppresses nothing), not on the
 * driver. They are configured like any rule (`rules:` in the configuration)
 * and their pages live beside the pack's, so one docs base serves both.
 */
import type { RuleMeta } from '../engine/types.js';

export const UNUSED_DIRECTIVE: RuleMeta = {
  id: 'ndis-review/unused-directive',
  severity: 'note',
  title: 'A suppression directive that suppresses nothing',
  description:
    'An ndis-review-disable-line or ndis-review-disable-next-line comment names a rule that reports nothing on its line, names a rule ndis-review does not know, or is not a directive ndis-review understands.',
  docs: 'rules/ndis-review/unused-directive.md',
};

export const BUILTIN_RULES: readonly RuleMeta[] = [UNUSED_DIRECTIVE];
