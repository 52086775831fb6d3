import { THREAD_FIRST, THREAD_REST, threads } from './threads.js';
import { j, ordered, s } from '../fields.js';
import { defineReport } from '../kit.js';

export const threadContents = defineReport({
  ...threads,
  id: 'thread-contents',
  // Each new thread read whole, once (pipeline/whole-records.ts): the list is a call per changed ticket as threads
  // is, and a thread read before is not read again unless its status or summary changed (a draft sent).
  optIn:
    "a credit for every new thread read whole (every thread on its first run: about twice the credits of threads), besides the list of each changed ticket's threads",
  files: { field: 'attachments', endpoint: 'threadAttachmentContent' },
  description: "each thread in full: its whole body (`content`), and its attachments' files copied into attachments/",
  callNote: ', then GET /tickets/{ticketId}/threads/{threadId}?include=plainText for each new thread',
  // A page's threads are read whole one after another where calls are one at a time (a Lambda): 20 fit its time.
  pageSize: 20,
  whole: {
    endpoint: 'ticketThread',
    request: (thread, p) => ({ path: { ticketId: p.ticketId ?? '', threadId: String(thread.id ?? '') }, query: { include: 'plainText' } }),
    changedBy: ['status', 'summary', 'attachmentCount'],
  },
  table: {
    // GET /tickets/{ticketId}/threads/{threadId}?include=plainText: Thread.json@75e1ba5 getThread, the list's fields
    // and Conversation.json latestThreadResponse's `content`, `plainText` and `attachments`.
    fields: ordered([...THREAD_FIRST, s('content')], [...THREAD_REST, j('attachments'), s('plainText')]),
  },
});
