import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { AdapterConfigError, createAdapter, createAdapterRegistry } from '../../../src/core/adapters/adapter.registry';
import { DocumentAdapter } from '../../../src/core/adapters/document.adapter';
import { ProcedureAdapter } from '../../../src/core/adapters/procedure.adapter';

function configError(fn: () => unknown): AdapterConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AdapterConfigError) return error;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('adapter registry', () => {
  it('creates each adapter kind from validated config, applying defaults', async () => {
    const p = createAdapter({ kind: 'procedure', id: 'dvc', label: 'Một cửa', baseUrl: 'http://127.0.0.1:1', username: 'u', password: 'p' });
    expect(p).toBeInstanceOf(ProcedureAdapter);
    expect(p.kind).toBe('procedure');
    expect(p.capabilities).toMatchObject({ cursor: true, incremental: true, paging: true, sessionRenewal: true, push: false, actions: true });
    const d = createAdapter({ kind: 'document', id: 'qlvb', label: 'VB', baseUrl: 'https://lgsp.example.vn', clientId: 'c', clientSecret: 's', concurrency: 4 });
    expect(d).toBeInstanceOf(DocumentAdapter);
    expect(d.capabilities.actions).toBe(true);
    expect(typeof p.perform).toBe('function');
    expect(typeof d.perform).toBe('function');
    await p.close();
    await d.close();
  });

  it('lists every invalid field, never echoing secrets', () => {
    const error = configError(() =>
      createAdapter({ kind: 'document', id: 'x', label: 'x', baseUrl: 'ftp://x', clientId: '', clientSecret: 42, pageSize: 0, extra: 'typo' }),
    );
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.code).toBe('config_invalid');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['', 'baseUrl', 'clientId', 'clientSecret', 'pageSize']);
    expect(error.message).toMatch(/unknown field\(s\) extra/);
    expect(error.message).not.toContain('42');
  });

  it('rejects unknown and not-yet-available kinds', () => {
    expect(configError(() => createAdapter({ kind: 'fax' })).issues[0]?.path).toBe('kind');
    expect(configError(() => createAdapter({ kind: 'mail' })).kind).toBe('mail');
    expect(configError(() => createAdapter(null)).issues[0]?.path).toBe('kind');
  });

  it('exposes kinds and capability flags', () => {
    const registry = createAdapterRegistry();
    expect(registry.kinds()).toEqual(['procedure', 'document', 'mail']);
    expect(registry.capabilities('document')?.sessionRenewal).toBe(true);
    expect(registry.capabilities('mail')).toMatchObject({ push: true, actions: true, cursor: true, incremental: true, paging: true });
  });
});
