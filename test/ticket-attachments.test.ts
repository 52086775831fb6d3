import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { runReports } from '../lib/cli/run-command.js';
import { attachmentFolder, copyFiles } from '../lib/pipeline/attachment-files.js';
import type { PageMessage } from '../lib/pipeline/messages.js';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { awsFixture, BUCKET } from './helpers/aws.js';
import { findReport } from '../lib/reports/catalog.js';
import { buildTargets } from '../lib/reports/targets.js';
import { attachmentFile, ticketAttachments } from '../lib/simulator/attachments.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

describe('ticket attachments', () => {
  it('is opt-in: a default run leaves it out; named, its export is the simulator records exactly', async () => {
    expect(findReport('ticket-attachments')?.optIn).toBeDefined();
    expect(buildTargets([]).map((t) => t.report)).not.toContain('ticket-attachments');
    // `run --simulate` reads every report: the simulator costs no credits.
    expect(buildTargets([], [], { optIn: true }).map((t) => t.report)).toContain('ticket-attachments');
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets', 'organization-fields', 'ticket-attachments'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(
      0,
    );
    expect(sim.currentRecords('ticket-attachments').length).toBeGreaterThan(0);
    await expectMirror(sim, dir.path, { reports: ['tickets', 'ticket-attachments'] });
    // A ticket deleted later takes its attachments with it.
    sim.advance(4 * 3_600_000, { deleteTickets: 5, newTickets: 3 });
    expect(await runReports(['tickets', 'organization-fields', 'ticket-attachments'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(
      0,
    );
    await expectMirror(sim, dir.path, { reports: ['tickets', 'ticket-attachments'] });
    await dir.remove();
  });

  it('copies each file once, byte for byte, skips one over the cap with its reason, and never fetches a stored one again', async () => {
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const base = contextFor(fixture, sim.clock);
    // 0.2 MB: the simulated files are 200 B to 400 kB, so some are over it.
    const context = { ...base, env: { ...base.env, ZOHO_ATTACHMENT_MAX_MB: '0.2' } };
    const cap = Math.floor(0.2 * 1024 * 1024);
    const reports = ['tickets', 'ticket-attachments'];
    expect(await runReports(reports, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    const store = new FolderObjectStore(dir.path);
    const files = sim.portal.tickets.flatMap((t) => ticketAttachments(sim.portal, t));
    const small = files.filter((a) => a.size <= cap);
    const large = files.filter((a) => a.size > cap);
    expect(small.length).toBeGreaterThan(0);
    expect(large.length).toBeGreaterThan(0);
    for (const a of small) {
      const stored = await store.getBytes(`${attachmentFolder(sim.orgId, a.ticketId, a.id)}${a.name}`);
      expect(stored && Buffer.from(stored).equals(Buffer.from(attachmentFile(sim.portal, a).bytes)), a.id).toBe(true);
    }
    for (const a of large) {
      const folder = attachmentFolder(sim.orgId, a.ticketId, a.id);
      expect(await store.list(folder)).toEqual([`${folder}_skipped.json`]);
      expect(JSON.parse((await store.get(`${folder}_skipped.json`)) ?? '{}')).toMatchObject({
        id: a.id,
        size: a.size,
        reason: expect.stringContaining('ZOHO_ATTACHMENT_MAX_MB'),
      });
    }
    expect(sim.stats().calls.attachmentContent).toBe(small.length);

    // Every ticket with files changes: their attachments are listed again, and no file is fetched again.
    sim.resetStats();
    sim.advance(3_600_000);
    for (const a of files) (sim.portal.ticketsById.get(a.ticketId) as { modifiedTime: number }).modifiedTime = sim.clock.now();
    expect(await runReports(reports, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    expect(sim.stats().calls.ticketAttachments).toBeGreaterThan(0);
    expect(sim.stats().calls.attachmentContent ?? 0).toBe(0);

    // Raised past every file: the ones skipped are copied now, and only those.
    sim.resetStats();
    sim.advance(3_600_000);
    for (const a of files) (sim.portal.ticketsById.get(a.ticketId) as { modifiedTime: number }).modifiedTime = sim.clock.now();
    const raised = { ...context, env: { ...context.env, ZOHO_ATTACHMENT_MAX_MB: '1' } };
    expect(await runReports(reports, { out: dir.path, ...FAST }, raised), raised.out.text()).toBe(0);
    expect(sim.stats().calls.attachmentContent).toBe(large.length);
    for (const a of large) {
      const folder = attachmentFolder(sim.orgId, a.ticketId, a.id);
      expect(await store.list(folder)).toEqual([`${folder}${a.name}`]);
    }
    await dir.remove();
  });

  it('on S3, a copied file keeps the content type Zoho gave it', async () => {
    const zoho = await open({ simulator: { tickets: 40 } });
    const { sim } = zoho.running;
    const aws = await awsFixture(zoho);
    try {
      const deps = aws.deps();
      const connection = await deps.zoho(undefined);
      const file = sim.portal.tickets.flatMap((t) => ticketAttachments(sim.portal, t))[0];
      if (!file) throw new Error('the seed gives no attachment');
      const { records } = await connection.desk.page('ticketAttachments', { path: { ticketId: file.ticketId } });
      const page = { params: { ticketId: file.ticketId }, orgId: sim.orgId } as unknown as PageMessage;
      await copyFiles(deps.store, connection.desk, page, { endpoint: 'attachmentContent' }, records);
      const key = `${attachmentFolder(sim.orgId, file.ticketId, file.id)}${file.name}`;
      const head = await aws.clients.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.ContentType).toBe(attachmentFile(sim.portal, file).contentType);
      expect(head.ContentLength).toBe(file.size);
    } finally {
      await aws.close();
    }
  });
});
