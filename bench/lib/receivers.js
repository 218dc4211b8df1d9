/**
 * What the back-channel receivers report (see servers/receivers.js): every verified logout token
 * and every failure. Scenarios wait here for the tokens a logout owes.
 */
export class ReceiverLog {
  verified = [];
  failures = [];
  waiters = new Set();

  constructor(child) {
    child.on('message', (m) => {
      if (m.verified === true) this.verified.push(m);
      else if (m.verified === false) this.failures.push(m);
      else return;
      for (const w of this.waiters) w();
    });
  }

  /** Resolves with the verified tokens matching `match` once there are `count`, or rejects at the deadline. */
  waitFor(match, count, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.verified.filter(match);
        if (found.length < count) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`only ${this.verified.filter(match).length} of ${count} logout tokens arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      if (!check()) this.waiters.add(check);
    });
  }
}
