/**
 * Stand-in for a backend whose adapter could not be built because its secret is missing or the
 * keyring failed: the other backends keep working, and this one shows the reason on its chip
 * (state error, code config_invalid) instead of the whole workstation refusing to start.
 */
import { AdapterError, type AdapterCapabilities, type BackendAdapter, type PullPage } from '../adapters/adapter';
import type { Source } from '../../shared/domain';

const NONE: AdapterCapabilities = Object.freeze({
  cursor: false,
  incremental: false,
  paging: false,
  sessionRenewal: false,
  push: false,
  actions: false,
});

export class UnavailableAdapter implements BackendAdapter {
  readonly capabilities = NONE;

  constructor(
    readonly id: string,
    readonly kind: Source,
    readonly label: string,
    private readonly reason: string,
  ) {}

  pull(): Promise<PullPage> {
    return Promise.reject(new AdapterError('config_invalid', this.reason, false));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
