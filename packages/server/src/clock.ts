/** An injectable clock (seconds and milliseconds since the epoch), so expiry is testable. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export const nowSeconds = (clock: Clock): number => Math.floor(clock.nowMs() / 1000);

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.now()) {}
  nowMs(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
