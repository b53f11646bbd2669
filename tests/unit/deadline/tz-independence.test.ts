/**
 * The engine must not depend on the machine's time zone: the office runs on a fixed UTC+7.
 * 1. No local-time Date API appears in src/core/deadline.
 * 2. The same computations give the same results in child processes run under several TZ values.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const engineDir = join(root, 'src', 'core', 'deadline');

const LOCAL_TIME_APIS: ReadonlyArray<[RegExp, string]> = [
  [/\.(get|set)(FullYear|Year|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds)\(/, 'local-time getter/setter (use getUTC*)'],
  [/\.getTimezoneOffset\(/, 'machine offset'],
  [/\.toLocale(String|DateString|TimeString)\(/, 'locale formatting'],
  [/\.to(Date|Time)String\(/, 'local formatting'],
  [/new Date\(\s*[^)\s]+\s*,/, 'multi-argument Date constructor (local time)'],
  [/new Date\(\s*['"`]/, 'parsing a date string (local time when no offset)'],
  [/Date\.parse\(/, 'parsing a date string (local time when no offset)'],
  [/Intl\.DateTimeFormat/, 'Intl formatting follows the machine TZ by default'],
];

describe('time-zone independence', () => {
  it('src/core/deadline uses no local-time Date API', () => {
    const files = readdirSync(engineDir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(engineDir, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const [re, why] of LOCAL_TIME_APIS) {
          if (re.test(line)) problems.push(`${file}:${i + 1}: ${why}: ${line.trim()}`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('gives identical results under TZ=UTC, America/New_York, Asia/Tokyo and Pacific/Kiritimati', () => {
    const probe = join(import.meta.dirname, 'fixtures', 'tz-probe.ts');
    const run = (tz: string): Record<string, unknown> =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', probe], {
          cwd: root,
          env: { ...process.env, TZ: tz },
          encoding: 'utf8',
        }),
      ) as Record<string, unknown>;

    const outputs: Array<Record<string, unknown> & { tz: string }> = ['UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati'].map((tz) => ({ tz, ...run(tz) }));
    // The TZ variable really changed the machine's offset in each child.
    expect(outputs.map((o) => o.machineOffset)).toEqual([0, 300, -540, -840]);

    const strip = ({ tz: _tz, machineOffset: _offset, ...rest }: Record<string, unknown>) => rest;
    const expected = {
      tet: '2026-02-25T10:00:00+07:00',
      saturday: '2026-01-10T16:00:00+07:00',
      nearMidnight: '2026-01-02',
      sameDay: '2026-03-11T17:00:00+07:00',
      calendarDays: '2026-05-04T17:00:00+07:00',
      document: '2026-09-09T10:00:00+07:00',
      dueDate: '2026-09-03T17:00:00+07:00',
      boundaries: ['2026-03-08T23:30:00+07:00', '2026-03-08T23:59:59.999+07:00', '2026-03-09T23:59:59.999+07:00'],
      sla: { sla: 'due_soon', remainingWorkingMinutes: 480 },
      workingDays: [true, false, false, true, false],
    };
    for (const output of outputs) expect(strip(output), output.tz).toEqual(expected);
  });
});
