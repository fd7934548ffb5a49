/*
 * Preloaded (node --require) into each job process by `npm run dev`: moves
 * the process's clock by DEV_CLOCK_OFFSET_MS, so the handlers see the loop's
 * virtual time (the same time anvil's blocks carry) while real time still
 * runs. Only Date is moved: timers keep real durations.
 */
"use strict";
const offset = Number(process.env.DEV_CLOCK_OFFSET_MS || "0");
if (offset !== 0) {
  const RealDate = Date;
  class VirtualDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = VirtualDate;
}
