import { describe, expect, it } from 'vitest';
import { readRetryAfter } from '../../lib/zoho/desk-errors.js';

describe('waits Zoho asks for, and waits of our own', () => {
  it('Retry-After as seconds or as a date, never beyond a day or before now', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(readRetryAfter({ 'retry-after': '120' }, now)).toBe(120);
    expect(readRetryAfter({ 'retry-after': '99999999999' }, now)).toBe(86_400);
    expect(readRetryAfter({ 'retry-after': 'Wed, 02 Dec 2026 10:05:00 GMT' }, now)).toBe(300);
    expect(readRetryAfter({ 'retry-after': 'Fri, 01 Jan 9999 00:00:00 GMT' }, now)).toBe(86_400);
    expect(readRetryAfter({ 'retry-after': 'Tue, 01 Dec 2026 10:00:00 GMT' }, now)).toBe(0);
    expect(readRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});
