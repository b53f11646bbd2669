/**
 * A loop's pause that can be cut short. `wake()` ends the current sleep, or, when the loop is busy,
 * makes its next `sleep()` return at once; `consume()` marks a pending wake as served (call it when a
 * step starts, so a wake that came in before the step's reads does not cause a second, empty step).
 */
export class WakeableSleep {
  private requested = false;
  private current: (() => void) | null = null;

  wake(): void {
    this.requested = true;
    this.current?.();
  }

  consume(): void {
    this.requested = false;
  }

  /** Sleep `ms`, unless a wake is pending or `skip` (the loop is stopping) is true. */
  sleep(ms: number, skip = false): Promise<void> {
    if (this.requested || skip) {
      this.requested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.current = null;
        this.requested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.current = done;
    });
  }

  /** End the current sleep without leaving a wake pending (used on stop). */
  interrupt(): void {
    this.current?.();
  }
}
