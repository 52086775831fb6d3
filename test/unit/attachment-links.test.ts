import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../lib/pipeline/attachment-files.js';
import { underDeskApi } from '../../lib/zoho/desk-url.js';

const API = 'https://desk.zoho.eu/api/v1';

describe("an attachment's link", () => {
  it("is followed with the token only under the portal's Desk API", () => {
    expect(underDeskApi('https://desk.zoho.eu/api/v1/tickets/1/attachments/2/content', API)).toBe(
      'https://desk.zoho.eu/api/v1/tickets/1/attachments/2/content',
    );
    expect(underDeskApi('https://desk.zoho.com/api/v1/tickets/1/attachments/2/content', API)).toBeUndefined();
    expect(underDeskApi('http://desk.zoho.eu/api/v1/tickets/1/attachments/2/content', API)).toBeUndefined();
    expect(underDeskApi('https://desk.zoho.eu.evil.example/api/v1/x', API)).toBeUndefined();
    expect(underDeskApi('https://user:pw@desk.zoho.eu/api/v1/x', API)).toBeUndefined();
    expect(underDeskApi('https://desk.zoho.eu/api/v10/x', API)).toBeUndefined();
    expect(underDeskApi('https://desk.zoho.eu/support/x', API)).toBeUndefined();
    expect(underDeskApi('not a url', API)).toBeUndefined();
  });

  it('names its file safely: no folders, no control characters, never empty', () => {
    expect(safeFileName('report.pdf', '1')).toBe('report.pdf');
    expect(safeFileName('../../etc/passwd', '1')).toBe('__.._etc_passwd');
    expect(safeFileName('a\\b\nc', '1')).toBe('a_b_c');
    expect(safeFileName('', '42')).toBe('attachment-42');
    expect(safeFileName(undefined, '42')).toBe('attachment-42');
    expect(safeFileName('x'.repeat(300), '1')).toHaveLength(200);
  });
});
