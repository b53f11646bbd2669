import { describe, expect, it } from 'vitest';
import { ALLOWED, gate, parseCsv, parseFindings, report } from '../../../scripts/electronegativity';

const ROOT = '/work/project';
const HEADER = 'issue, severity, confidence, filename, location, sample, description, url\n';

describe('Electronegativity CSV gate', () => {
  it('parses RFC 4180: quotes, doubled quotes, commas and newlines inside quotes, CRLF', () => {
    expect(parseCsv('a, "b, c","say ""hi""\nthere",N/A\r\nx,,"",y\n')).toEqual([
      ['a', 'b, c', 'say "hi"\nthere', 'N/A'],
      ['x', '', '', 'y'],
    ]);
    expect(() => parseCsv('a,"unterminated')).toThrow(/quoted/);
  });

  it('fails on HIGH and MEDIUM, keeps LOW as notes, and prints every failing finding', () => {
    const csv =
      HEADER +
      `CONTEXT_ISOLATION_JS_CHECK,"HIGH","FIRM","${ROOT}/src/main/index.ts","133:15","mainWindow = new BrowserWindow({","Review the use of the contextIsolation option",https://x/ci\n` +
      `AUXCLICK_JS_CHECK,"MEDIUM","FIRM","${ROOT}/src/main/index.ts","133:15","mainWindow = new BrowserWindow({","Limit navigation flows, ""middle-click""",https://x/aux\n` +
      `CSP_GLOBAL_CHECK,"LOW","TENTATIVE","${ROOT}/src/host/host.server.ts","210:6",N/A,"Failed to parse CSP, it may not be valid.",https://x/csp\n`;
    const findings = parseFindings(csv);
    expect(findings).toHaveLength(3);
    expect(findings[1]?.description).toBe('Limit navigation flows, "middle-click"');
    const result = gate(findings, ROOT);
    expect(result.failing.map((f) => f.issue)).toEqual(['CONTEXT_ISOLATION_JS_CHECK', 'AUXCLICK_JS_CHECK']);
    expect(result.other.map((f) => f.issue)).toEqual(['CSP_GLOBAL_CHECK']);
    const text = report(result, ROOT);
    expect(text).toContain('FAIL HIGH CONTEXT_ISOLATION_JS_CHECK src/main/index.ts:133:15');
    expect(text).toContain('FAIL MEDIUM AUXCLICK_JS_CHECK');
    expect(text).toMatch(/2 HIGH\/MEDIUM finding\(s\) failing/);
  });

  it('allows a reviewed false positive only at its exact file and code; a new call site fails', () => {
    const allowed = ALLOWED.find((a) => a.issue === 'OPEN_EXTERNAL_JS_CHECK');
    if (!allowed) throw new Error('no reviewed finding');
    const line = (file: string, sample: string) =>
      `${allowed.issue},"MEDIUM","TENTATIVE","${ROOT}/${file}","156:39","${sample.replace(/"/g, '""')}","Review the use of openExternal",https://x/oe\n`;
    const result = gate(parseFindings(HEADER + line(allowed.file, allowed.sample) + line('src/main/other.ts', allowed.sample) + line(allowed.file, 'void shell.openExternal(raw);')), ROOT);
    expect(result.allowed).toHaveLength(1);
    expect(result.allowed[0]?.reason).toMatch(/isSafeExternalUrl/);
    expect(result.failing.map((f) => `${f.filename} ${f.sample}`)).toEqual([
      `${ROOT}/src/main/other.ts ${allowed.sample}`,
      `${ROOT}/${allowed.file} void shell.openExternal(raw);`,
    ]);
  });

  it('an empty result passes; a CSV without the expected columns is an error, not a pass', () => {
    expect(gate(parseFindings(HEADER), ROOT).failing).toEqual([]);
    expect(() => parseFindings('')).toThrow(/empty/);
    expect(() => parseFindings('issue,severity\nX,HIGH\n')).toThrow(/lacks column/);
  });
});
