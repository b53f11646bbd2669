import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trainingConfig, TRAINING_USERS } from '../../../src/core/config/config.schema';
import { readTrainingRole, TRAINING_ROLE_FILE, writeTrainingRole } from '../../../src/core/config/training-role';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-training-role-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('training-role.json', () => {
  it('is the counter official when absent, silently', () => {
    expect(readTrainingRole(dir)).toEqual({ role: 'official', problem: null });
  });

  it('round-trips each role, written owner-only', () => {
    for (const role of ['supervisor', 'it', 'official'] as const) {
      writeTrainingRole(dir, role);
      expect(readTrainingRole(dir)).toEqual({ role, problem: null });
    }
    expect(JSON.parse(readFileSync(join(dir, TRAINING_ROLE_FILE), 'utf8'))).toEqual({ role: 'official' });
    expect(statSync(join(dir, TRAINING_ROLE_FILE)).mode & 0o077).toBe(0);
  });

  it.each([
    ['not JSON', '{role: supervisor', 'is not valid JSON'],
    ['an unknown role', '{"role":"admin"}', 'names no known role'],
    ['an extra field', '{"role":"supervisor","username":"root"}', 'names no known role'],
    ['an array', '["supervisor"]', 'names no known role'],
  ])('falls back to the counter official on %s, and says why', (_what, text, why) => {
    writeFileSync(join(dir, TRAINING_ROLE_FILE), text);
    const read = readTrainingRole(dir);
    expect(read.role).toBe('official');
    expect(read.problem).toContain(why);
  });

  it('gives the training configuration the sandbox identity of the role', () => {
    const base = { procedureUrl: 'http://127.0.0.1:1', documentUrl: 'http://127.0.0.1:2' };
    expect(trainingConfig(base).user).toEqual(TRAINING_USERS.official);
    expect(trainingConfig({ ...base, role: 'supervisor' }).user).toEqual({ username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', role: 'supervisor' });
    expect(trainingConfig({ ...base, role: 'it' }).user.role).toBe('it');
    // The supervisor is one of the office's officials (reassign targets, the dashboard's rows).
    expect(trainingConfig(base).office.officials?.map((o) => o.username)).toContain(TRAINING_USERS.supervisor.username);
  });
});
