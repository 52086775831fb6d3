import type { PlanningDeadline } from '../../lib/pipeline/plan-checkpoint.js';
import type { WorkQueue } from '../../lib/ports.js';

/**
 * A planning deadline reached after `checks` questions: each part of a planning then does that many units (and
 * the one every part is given), whatever the machine's speed — many parts on a small portal.
 */
export function afterChecks(checks: number): () => PlanningDeadline {
  return () => {
    let asked = 0;
    return { reached: () => ++asked > checks };
  };
}

/** The work queue, with every message body sent through it kept in `sent` (a spy: the queue still gets them). */
export function recordingQueue(inner: WorkQueue): WorkQueue & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    send: async (messages) => {
      sent.push(...messages.map((m) => m.body));
      await inner.send(messages);
    },
    receive: (max) => inner.receive(max),
    delete: (handle) => inner.delete(handle),
    release: (handle, delayMs) => inner.release(handle, delayMs),
    deadLetter: (message, reason) => inner.deadLetter(message, reason),
  };
}

/** Of the bodies sent, the plan messages and the page messages apart. */
export function byKind(bodies: readonly string[]): { plans: string[]; pages: string[] } {
  const isPlan = (body: string) => body.startsWith('{"kind":"plan"');
  return { plans: bodies.filter(isPlan), pages: bodies.filter((body) => !isPlan(body)) };
}

/** A page message's identity (report, scope, page), for telling whether a page was queued twice. */
export function pageIdentity(body: string): string {
  const { report, params, route, page } = JSON.parse(body) as { report: string; params: Record<string, string>; route?: string; page: number };
  return `${report} ${route ?? ''} ${JSON.stringify(params)} ${page}`;
}
