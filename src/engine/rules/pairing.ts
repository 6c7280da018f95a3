/**
 * Rule kind `pairing`: one rule id with several duties over an acquire/release
 * pair, each run by the kind that already checks it (release-on-failure,
 * release-in-role, argument-match, call-context) and reported under the
 * pairing rule's id with the duty's own message id. A resource no function
 * acquires costs no path analysis.
 */
import type { FixMaker } from '../fixes.js';
import type { InitAnalysis, PathAnalyzer } from '../paths.js';
import type { FnDef, Program } from '../program.js';
import type {
  ArgumentMatchRule,
  CallContextRule,
  PairingRule,
  ReleaseInRoleRule,
  ReleaseOnFailureRule,
  ResourceDef,
  RulePack,
} from '../rulepack.js';
import type { Notice } from '../types.js';
import { siteId } from '../paths.js';
import { formatMessage } from '../rulepack.js';
import type { TraceStep } from '../types.js';
import { isPersistentKey, span, type Draft } from './common.js';
import { callContext } from './context.js';
import { releaseOnFailure } from './failure.js';
import { releaseInRole, type WalkRole } from './halt.js';
import { argumentMatch } from './length.js';
import { defined } from '../../util/defined.js';

export interface PairingInputs {
  analysisFor: (resource: ResourceDef) => Map<FnDef, InitAnalysis>;
  analyzerFor: (resource: ResourceDef) => PathAnalyzer;
  /** The walk of a releasing callback for the resource (remembered where the rules keep walks). */
  roleWalkFor: (resource: ResourceDef) => WalkRole;
  fixes: FixMaker;
  notices: Notice[];
  /** Run the duties that walk initialize and halt (false: the program has no initialize callback). */
  initializeDuties: boolean;
}

/** The rule seen as one of the single-duty kinds: its one message under the id that kind formats. */
function asDuty<K extends string>(
  rule: PairingRule,
  kind: K,
  advice: string,
  messages: Record<string, string>,
): { id: string; severity: PairingRule['severity']; title: string; description: string; docs: string } & {
  kind: K;
  advice: string;
  messages: Record<string, string>;
} {
  return {
    id: rule.id,
    severity: rule.severity,
    title: rule.title,
    description: rule.description,
    docs: rule.docs,
    kind,
    advice,
    messages,
  };
}

/** Drafts of a single-duty kind renamed to the pairing rule's message ids. */
function renamed(drafts: Draft[], ids: Record<string, string>): Draft[] {
  for (const d of drafts) if (d.messageId !== undefined && ids[d.messageId]) d.messageId = ids[d.messageId];
  return drafts;
}

export function pairing(program: Program, pack: RulePack, rule: PairingRule, inputs: PairingInputs): Draft[] {
  const drafts: Draft[] = [];
  const d = rule.duties;
  for (const name of rule.resources) {
    const resource = pack.resources[name];
    // The duties that walk initialize and halt, when there is an initialize and it may acquire.
    const walked = inputs.initializeDuties && program.functions.some((f) => program.callsApi(f, resource.acquire.call));
    if (walked && d.onFailure) {
      const sub: ReleaseOnFailureRule = {
        ...asDuty(rule, 'release-on-failure', d.onFailure.advice, { leak: rule.messages[d.onFailure.messageId] }),
        resource: name,
        role: d.onFailure.role,
      };
      drafts.push(
        ...renamed(releaseOnFailure(sub, resource, inputs.analysisFor(resource), inputs.fixes), {
          leak: d.onFailure.messageId,
        }),
      );
    }
    if (walked && d.inHalt) {
      const sub: ReleaseInRoleRule = {
        ...asDuty(rule, 'release-in-role', d.inHalt.advice, { notReleased: rule.messages[d.inHalt.messageId] }),
        resource: name,
        acquireRole: d.inHalt.acquireRole,
        releaseRole: d.inHalt.releaseRole,
      };
      drafts.push(
        ...renamed(
          releaseInRole(
            program,
            pack,
            sub,
            inputs.analysisFor(resource),
            inputs.analyzerFor(resource),
            inputs.notices,
            inputs.roleWalkFor(resource),
          ),
          { notReleased: d.inHalt.messageId },
        ),
      );
    }
    if (walked && d.sameArguments)
      for (const arg of d.sameArguments.arguments) {
        // The argument compared stands where the kind reads a length.
        const view: ResourceDef = {
          ...resource,
          acquire: { ...resource.acquire, lengthArg: arg.acquireArg },
          release: { ...resource.release, lengthArg: arg.releaseArg },
          words: { ...resource.words, unit: arg.unit },
        };
        const sub: ArgumentMatchRule = {
          ...asDuty(rule, 'argument-match', d.sameArguments.advice, {
            lengthDiffers: rule.messages[arg.messageId].replaceAll('{argument}', arg.name),
          }),
          resource: name,
          argument: 'length',
        };
        drafts.push(
          ...renamed(argumentMatch(program, sub, view, inputs.analysisFor(resource), inputs.fixes), {
            lengthDiffers: arg.messageId,
          }),
        );
      }
  }
  if (d.inOpener)
    for (const name of rule.resources) {
      const resource = pack.resources[name];
      if (program.functions.some((f) => program.callsApi(f, resource.acquire.call)))
        drafts.push(...releasedInOpener(program, rule, resource, inputs.analyzerFor(resource)));
    }
  if (d.context) {
    const ids = d.context.messageIds;
    for (const call of d.context.call) {
      if (!program.functions.some((f) => program.callsApi(f, call))) continue;
      const sub: CallContextRule = {
        ...asDuty(rule, 'call-context', d.context.advice, {
          inCallback: rule.messages[ids.inCallback],
          reachedFromCallback: rule.messages[ids.reachedFromCallback],
          addressTaken: rule.messages[ids.addressTaken],
        }),
        call,
        allowedRoles: d.context.allowedRoles ?? [],
        ...(d.context.forbiddenRoles ? { forbiddenRoles: d.context.forbiddenRoles } : {}),
      };
      drafts.push(...renamed(callContext(program, pack, sub), ids));
    }
  }
  return drafts;
}

/**
 * Each function that acquires, walked as a root: an exit where the handle may still be held is a
 * finding, when every name the handle had is a local of that function (a field, a global or a
 * pointer parameter hands it on).
 */
function releasedInOpener(program: Program, rule: PairingRule, resource: ResourceDef, analyzer: PathAnalyzer): Draft[] {
  const duty = defined(rule.duties.inOpener, `inOpener duty of ${rule.id}`);
  const drafts: Draft[] = [];
  const local = (n: string) => !isPersistentKey(n) && !n.startsWith('*');
  for (const fn of program.functions) {
    if (!program.callsApi(fn, resource.acquire.call)) continue;
    const a = analyzer.analyzeInit(fn);
    if (!a.complete || a.damaged.length) continue;
    const exits = [
      ...a.leaks.map((l) => ({ site: l.site, names: l.names, at: l.jump, jump: l.jump.kind, failing: true })),
      ...a.kept.map((k) => ({ site: k.site, names: k.names, at: k.exit, jump: 'return', failing: false })),
    ];
    for (const x of exits) {
      if (x.site.fn !== fn.name || x.site.file !== fn.file) continue;
      const all = [...x.names, ...(a.sites.get(siteId(x.site))?.names ?? [])];
      if (!all.every(local)) continue;
      const messageId = x.failing ? duty.messageIds.failing : duty.messageIds.other;
      const at = x.at ?? { file: x.site.file, p: x.site.p };
      const jump = x.jump;
      const trace: TraceStep[] = [
        { path: x.site.file, line: x.site.p[0], message: `${fn.name} ${resource.words.acquires} ${x.site.text} here` },
        {
          path: at.file,
          line: at.p[0],
          message: `${x.failing ? `${jump} on a failing path` : 'exit'} with ${x.site.text} still ${resource.words.held}`,
        },
      ];
      drafts.push({
        rule: rule.id,
        severity: rule.severity,
        path: at.file,
        ...span(at.p),
        message: formatMessage(rule, messageId, {
          handle: x.site.text,
          site: `${x.site.file}:${String(x.site.p[0])}`,
          fn: fn.name,
          jump,
          advice: duty.advice,
        }),
        messageId,
        trace,
        docs: rule.docs,
        identity: [rule.id, fn.file, fn.name, messageId, x.site.key],
      });
    }
  }
  return drafts;
}
