// Freezes the clock for the generators: `new Date()` and `Date.now()` answer NOW, so expected results that read the
// clock are recorded at one instant, which the C++ tests evaluate with too (tests/jsonata/format/cases.h kOracleNow,
// and the "now" field of tests/jsonata/truto/oracle_cases.json). RealDate is the unfrozen class.
export const NOW = 1700000000123; // 2023-11-14T22:13:20.123Z
export const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(NOW);
    else super(...args);
  }
  static now() {
    return NOW;
  }
};
