import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../lib/errors.js';
import { lastPlannedBatch, plannedBatchKey } from '../../lib/pipeline/keys.js';
import { parseMessage, planMessageBody } from '../../lib/pipeline/messages.js';
import {
  checkpointProblem,
  firstCheckpoint,
  PartBudget,
  planCheckpointSchema,
  type PlanCheckpoint,
  type PlanningDeadline,
} from '../../lib/pipeline/plan-checkpoint.js';
import type { RunRecord } from '../../lib/pipeline/records.js';
import { refusal } from '../helpers/errors.js';

const options = { secretPrefix: 'zoho_auth' };
const RUN = '2026-11-24T12-00-00Z-4f2a';

const reason = (body: string) => refusal(() => parseMessage(body, options), InvalidMessageError);

describe('Function: parseMessage() for plan messages', () => {
  it('accepts the message a part queues for the next, and gives it back as written', () => {
    // Prepare
    const body = planMessageBody(RUN, 2);
    // Act
    const message = parseMessage(body, options);
    // Assess
    expect(body).toBe(`{"kind":"plan","v":1,"runId":"${RUN}","part":2}`);
    expect(message).toStrictEqual({ kind: 'plan', v: 1, runId: RUN, part: 2 });
  });

  it.each([
    [{ kind: 'plan', v: 1, runId: RUN, part: 1 }, 'part Too small: expected number to be >=2'],
    [{ kind: 'plan', v: 1, runId: RUN, part: '2' }, 'part Invalid input: expected number, received string'],
    [{ kind: 'plan', v: 1, runId: 'yesterday', part: 2 }, 'runId must look like 2026-11-24T12-00-00Z-4f2a'],
    [{ kind: 'plan', v: 2, runId: RUN, part: 2 }, 'v Invalid input: expected 1'],
    [{ kind: 'plan', v: 1, part: 2 }, 'runId Invalid input: expected string, received undefined'],
    [{ kind: 'plan', v: 1, runId: RUN, part: 2, secretId: 'zoho_auth_eu' }, '"secretId" is not a field of a plan message (kind, v, runId, part)'],
    [{ kind: 'page', v: 1, runId: RUN, part: 2 }, 'kind must be "plan" (the only message that names its kind)'],
  ])('rejects %j, naming the field', (fields, expected) => {
    expect(reason(JSON.stringify(fields))).toBe(expected);
  });
});

const run: RunRecord = {
  runId: RUN,
  startedAt: '2026-11-24T12:00:00.000Z',
  trigger: 'schedule',
  requests: [
    { report: 'agents', params: {} },
    { report: 'threads', params: {} },
  ],
  status: 'planning',
};
const readsChildren = (index: number) => index === 1;
const checkpoint = (fields: Partial<PlanCheckpoint> = {}): PlanCheckpoint => ({
  ...firstCheckpoint(RUN, Date.parse(run.startedAt)),
  part: 3,
  ...fields,
});

describe('Function: checkpointProblem()', () => {
  it('finds nothing wrong with a checkpoint of this run', () => {
    const usable = checkpoint({ reports: 1, children: [{ since: '2000-01-01T00:00:00.000Z', targets: [1], carried: {} }] });
    expect(checkpointProblem(usable, run, 1, readsChildren)).toBeUndefined();
  });

  it.each([
    [checkpoint({ runId: '2026-11-24T08-00-00Z-0000' }), 'it belongs to run 2026-11-24T08-00-00Z-0000'],
    [checkpoint({ reports: 2 }), "it counts 2 reports planned, of 1 the run plans before tickets' children"],
    [
      checkpoint({ reports: 1, children: [{ since: '2000-01-01T00:00:00.000Z', targets: [0], carried: {} }] }),
      "its tickets' children name request 0, which is not one of the run's reports of tickets' children",
    ],
    [
      checkpoint({ reports: 1, children: [{ since: '2000-01-01T00:00:00.000Z', targets: [5], carried: {} }] }),
      "its tickets' children name request 5, which is not one of the run's reports of tickets' children",
    ],
  ])('says what is wrong with %j', (spoiled, expected) => {
    expect(checkpointProblem(spoiled, run, 1, readsChildren)).toBe(expected);
  });
});

describe('Schema: planCheckpointSchema', () => {
  it('reads back what a part wrote, windows and keyset positions included', () => {
    const written = checkpoint({
      reports: 1,
      cursorAt: '2026-11-24T11:59:58.000Z',
      children: [
        {
          since: '2000-01-01T00:00:00.000Z',
          targets: [1],
          carried: { 'pending-approvals': ['1329983000000425001'] },
          windows: [
            { since: '2020-01-01T00:00:00.000Z', until: '2023-01-01T00:00:00.000Z', count: 800, done: true },
            {
              since: '2023-01-01T00:00:00.001Z',
              until: '2026-11-24T12:00:00.000Z',
              count: 850,
              next: { after: '2024-05-01T10:00:00.000Z', from: 0, skip: ['1329983000000425001'] },
            },
          ],
        },
      ],
    });
    expect(planCheckpointSchema.parse(JSON.parse(JSON.stringify(written)))).toStrictEqual(written);
  });

  it.each([
    [
      'a window position without its time',
      {
        children: [
          {
            since: '2000-01-01T00:00:00.000Z',
            targets: [1],
            carried: {},
            windows: [{ since: '2000-01-01T00:00:00.000Z', until: '2001-01-01T00:00:00.000Z', count: 1, next: { from: 0, skip: [] } }],
          },
        ],
      },
    ],
    [
      'a carried ticket id that is a number',
      { children: [{ since: '2000-01-01T00:00:00.000Z', targets: [1], carried: { 'pending-approvals': [42] } }] },
    ],
    ['a part 0', { part: 0 }],
    ['no count of pages queued', { sent: undefined }],
  ])('refuses %s', (_what, fields) => {
    expect(planCheckpointSchema.safeParse({ ...checkpoint(), ...fields }).success).toBe(false);
  });
});

describe('Class: PartBudget', () => {
  const reachedAfter = (checks: number): PlanningDeadline => {
    let asked = 0;
    return { reached: () => ++asked > checks };
  };

  it('lets the first unit of a part go ahead even past its deadline, and no other', () => {
    const budget = new PartBudget({ reached: () => true });
    expect([budget.next(), budget.next(), budget.next()]).toStrictEqual([true, false, false]);
  });

  it('goes on until the deadline, then stops for good', () => {
    const budget = new PartBudget(reachedAfter(2));
    expect(Array.from({ length: 5 }, () => budget.next())).toStrictEqual([true, true, true, false, false]);
  });
});

describe('Function: lastPlannedBatch()', () => {
  it('is the highest batch written, so a further part numbers on from it', () => {
    expect(lastPlannedBatch([])).toBe(0);
    expect(lastPlannedBatch([plannedBatchKey(RUN, 1), plannedBatchKey(RUN, 12), plannedBatchKey(RUN, 3)])).toBe(12);
  });
});
