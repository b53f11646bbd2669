/** A tiny observable for the transport's link state. Pure. */
import type { LinkState } from './envelope';

export class LinkStateCell {
  private state: LinkState = 'connecting';
  private readonly listeners = new Set<(state: LinkState) => void>();

  get value(): LinkState {
    return this.state;
  }

  set(next: LinkState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.listeners]) l(next);
  }

  listen(listener: (state: LinkState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
