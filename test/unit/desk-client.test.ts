import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../lib/zoho/endpoints.js';

describe('pagination, from the single endpoint table', () => {
  it('declares only OAS parameters: approvals take none, tags need departmentId, alerts need department', () => {
    expect(ENDPOINTS.ticketApprovals).toMatchObject({ paginated: false, query: [] });
    expect(ENDPOINTS.ticketTags.required).toEqual(['departmentId']);
    expect(ENDPOINTS.emailFailureAlerts.required).toEqual(['department']);
    expect(ENDPOINTS.tickets.query).not.toContain('modifiedTimeRange');
    expect(ENDPOINTS.ticketSearch.query).toContain('modifiedTimeRange');
  });
});
