/**
 * How the ending path (and the signals that queue SETs) nudges this process's delivery worker right after its transaction
 * committed, so notifications leave within milliseconds without the request waiting for them.
 * A no-op until a worker attaches (the CLI has none: the running provider's poll finds its rows).
 */
export class OutboxSignal {
  private listener: (() => void) | undefined;

  readonly wake = (): void => this.listener?.();

  attach(listener: () => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }
}
