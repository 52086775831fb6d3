import { describe, expect, it } from 'vitest';
import { alarmsLine } from '../../lib/cli/status-command.js';

describe('operator commands against the deployed stack', () => {
  it("status's alarm line names the firing alarms, says when none fire, and why they are unknown", () => {
    expect(alarmsLine([])).toBe('Alarms: none firing.');
    expect(alarmsLine(['dead-letters', 'run-overdue'])).toBe('Alarms: 2 firing: dead-letters, run-overdue.');
    expect(alarmsLine(Object.assign(new Error(''), { name: 'UnknownEndpoint' }))).toBe('Alarms: unknown (UnknownEndpoint).');
  });
});
