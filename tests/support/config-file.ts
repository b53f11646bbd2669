/** A `<data dir>/config.json` as IT staff would write it: the training office, a user, these backends. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OfficeConfigUser {
  username: string;
  fullName: string;
  role: 'official' | 'supervisor' | 'it';
}

const COUNTER_OFFICIAL: OfficeConfigUser = { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' };

/** Writes config.json for UBND phường Ngọc Hà (the counter official unless `user`); `extra`: other top-level fields. */
export function writeOfficeConfig(dataDir: string, backends: unknown[], user: OfficeConfigUser = COUNTER_OFFICIAL, extra: Record<string, unknown> = {}): string {
  const path = join(dataDir, 'config.json');
  writeFileSync(path, JSON.stringify({ office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' }, user, backends, ...extra }));
  return path;
}
