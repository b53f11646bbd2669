/**
 * Training mode's signed-in role (`<data dir>/training-role.json`), chosen in the window so that
 * trainees see the supervisor's and the IT officer's screens over the same sandbox without writing a
 * configuration file. Only the built-in training mode reads it: with a config.json the user comes
 * from there. A missing file means the counter official; an unreadable or invalid one too, with the
 * reason returned for the log (it never stops the workstation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '../../shared/api';
import { writeAtomically } from './config.file';

export const TRAINING_ROLE_FILE = 'training-role.json';

const TrainingRoleFileSchema = z.strictObject({ role: z.enum(ROLES) });

export function trainingRolePath(dataDir: string): string {
  return join(dataDir, TRAINING_ROLE_FILE);
}

/** The role stored in `dataDir`; 'official' when there is none, with `problem` set when the file is unusable. */
export function readTrainingRole(dataDir: string): { role: Role; problem: string | null } {
  let text: string;
  try {
    text = readFileSync(trainingRolePath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { role: 'official', problem: null };
    return { role: 'official', problem: `${TRAINING_ROLE_FILE} could not be read: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { role: 'official', problem: `${TRAINING_ROLE_FILE} is not valid JSON; the counter official is signed in` };
  }
  const parsed = TrainingRoleFileSchema.safeParse(json);
  if (!parsed.success) return { role: 'official', problem: `${TRAINING_ROLE_FILE} names no known role; the counter official is signed in` };
  return { role: parsed.data.role, problem: null };
}

/** Store the role (atomically: a crash leaves the old file or the new one). */
export function writeTrainingRole(dataDir: string, role: Role): void {
  writeAtomically(trainingRolePath(dataDir), `${JSON.stringify({ role })}\n`);
}
