import { expect } from "chai";
import {
  addDecimalValues,
  addDecimals,
  compareDecimalValues,
  compareDecimals,
  decimalToScaled,
  formatDecimal,
  isDecimal,
  multiplyDecimal,
  multiplyDecimals,
  parseDecimal,
  roundDecimal,
  subtractDecimalValuesFloor,
  subtractDecimalsFloor,
  sumDecimals,
  trimDecimal,
  tryParseDecimal,
  type Decimal,
} from "../../../node/domain/decimal";
import { BorderLedgerError } from "../../../node/domain/errors";

const MALFORMED = ["", "1.", ".5", "01", "00.5", "-1", "+1", "1e3", "1,5", " 1", "1 ", "0x10", "1.2.3", "NaN", "Infinity", "١٢"];

function expectValidationFailed(run: () => unknown): void {
  expect(run).to.throw(BorderLedgerError).with.property("code", "VALIDATION_FAILED");
}

describe("decimal", () => {
  describe("parseDecimal and formatDecimal", () => {
    it("parses a decimal into integer units and a scale", () => {
      expect(parseDecimal("24.90")).to.deep.equal({ units: 2490n, scale: 2 });
      expect(parseDecimal("0.000001")).to.deep.equal({ units: 1n, scale: 6 });
      expect(parseDecimal("7")).to.deep.equal({ units: 7n, scale: 0 });
    });

    it("keeps digits beyond the float range exactly", () => {
      expect(parseDecimal("999999999999999999.999999")).to.deep.equal({ units: 999999999999999999999999n, scale: 6 });
    });

    it("formats units back with leading zeros and the scale's trailing zeros", () => {
      expect(formatDecimal({ units: 690n, scale: 2 })).to.equal("6.90");
      expect(formatDecimal({ units: 5n, scale: 3 })).to.equal("0.005");
      expect(formatDecimal({ units: 0n, scale: 2 })).to.equal("0.00");
      expect(formatDecimal({ units: 42n, scale: 0 })).to.equal("42");
    });

    it("rejects signs, exponents, leading zeros, bare points and non-ASCII digits", () => {
      for (const value of MALFORMED) {
        expect(isDecimal(value), value).to.equal(false);
        expectValidationFailed(() => parseDecimal(value));
      }
    });

    it("rejects values that are not strings", () => {
      expect(isDecimal(1.5)).to.equal(false);
      expectValidationFailed(() => parseDecimal(1.5 as unknown as string));
    });
  });

  describe("tryParseDecimal", () => {
    it("parses what parseDecimal parses, to the same units and scale", () => {
      expect(tryParseDecimal("24.90")).to.deep.equal(parseDecimal("24.90"));
      expect(tryParseDecimal("0")).to.deep.equal({ units: 0n, scale: 0 });
    });

    it("reads leading zeros, which no canonical spelling has", () => {
      expect(tryParseDecimal("024.90")).to.deep.equal({ units: 2490n, scale: 2 });
      expect(tryParseDecimal("00.5")).to.deep.equal({ units: 5n, scale: 1 });
    });

    it("gives undefined, without throwing, for signs, exponents, bare points, non-ASCII digits and non-strings", () => {
      for (const value of ["", "1.", ".5", "-1", "+1", "1e3", "1,5", " 1", "1.2.3", "NaN", "١٢", 1.5, null, undefined, { amount: "1" }]) {
        expect(tryParseDecimal(value), String(value)).to.equal(undefined);
      }
    });
  });

  describe("decimalToScaled", () => {
    it("scales up by appending zeros", () => {
      expect(decimalToScaled("24.9", 2)).to.equal(2490n);
      expect(decimalToScaled("3", 6)).to.equal(3000000n);
    });

    it("scales down only when the dropped digits are zeros", () => {
      expect(decimalToScaled("6.6300", 2)).to.equal(663n);
      expectValidationFailed(() => decimalToScaled("6.631", 2));
    });
  });

  describe("addDecimals and sumDecimals", () => {
    it("adds exactly where floats do not: 0.1 + 0.2 is 0.3", () => {
      expect(0.1 + 0.2).to.not.equal(0.3);
      expect(addDecimals("0.1", "0.2")).to.equal("0.3");
    });

    it("adds at the larger scale of the two", () => {
      expect(addDecimals("24.90", "10")).to.equal("34.90");
      expect(addDecimals("0.000001", "999999999999999999.999999")).to.equal("1000000000000000000.000000");
    });

    it("sums a list, and an empty list to zero", () => {
      expect(sumDecimals(["0.00", "6.63", "0.00"])).to.equal("6.63");
      expect(sumDecimals(Array.from({ length: 10 }, () => "0.1"))).to.equal("1.0");
      expect(sumDecimals([])).to.equal("0");
    });

    it("rejects a malformed addend", () => {
      expectValidationFailed(() => addDecimals("1", "-1"));
      expectValidationFailed(() => sumDecimals(["1.00", "2e2"]));
    });
  });

  describe("subtractDecimalsFloor", () => {
    it("subtracts exactly at the larger scale of the two", () => {
      expect(subtractDecimalsFloor("10.00", "3.37")).to.equal("6.63");
      expect(subtractDecimalsFloor("0.3", "0.1")).to.equal("0.2");
      expect(subtractDecimalsFloor("6.63", "0")).to.equal("6.63");
    });

    it("gives zero, at that scale, where b is at least a", () => {
      expect(subtractDecimalsFloor("6.63", "10")).to.equal("0.00");
      expect(subtractDecimalsFloor("5", "5.000")).to.equal("0.000");
    });

    it("rejects a malformed operand", () => {
      expectValidationFailed(() => subtractDecimalsFloor("1", "-1"));
      expectValidationFailed(() => subtractDecimalsFloor("01", "0"));
    });
  });

  describe("on parsed Decimals", () => {
    function d(value: string): Decimal {
      const decimal = tryParseDecimal(value);
      if (decimal === undefined) throw new Error(`test value ${value} does not parse`);
      return decimal;
    }

    it("adds at the larger scale of the two", () => {
      expect(addDecimalValues(d("24.90"), d("010"))).to.deep.equal({ units: 3490n, scale: 2 });
      expect(addDecimalValues({ units: 0n, scale: 0 }, d("0.000001"))).to.deep.equal({ units: 1n, scale: 6 });
    });

    it("subtracts down to zero and no further", () => {
      expect(subtractDecimalValuesFloor(d("10.00"), d("3.37"))).to.deep.equal({ units: 663n, scale: 2 });
      expect(subtractDecimalValuesFloor(d("3.37"), d("10"))).to.deep.equal({ units: 0n, scale: 2 });
    });

    it("compares by value, not by spelling or scale", () => {
      expect(compareDecimalValues(d("034.9"), d("34.90"))).to.equal(0);
      expect(compareDecimalValues(d("9.99"), d("10.00"))).to.equal(-1);
      expect(compareDecimalValues(d("0.1"), d("0.09"))).to.equal(1);
    });
  });

  describe("multiplyDecimal", () => {
    it("multiplies by a quantity at the amount's scale", () => {
      expect(multiplyDecimal("5.00", 2)).to.equal("10.00");
      expect(multiplyDecimal("0.07", 3)).to.equal("0.21");
      expect(multiplyDecimal("19.99", 0)).to.equal("0.00");
      expect(multiplyDecimal("0.333333", 3n)).to.equal("0.999999");
    });

    it("stays exact beyond Number.MAX_SAFE_INTEGER", () => {
      expect(multiplyDecimal("999999999999999999.99", 1000)).to.equal("999999999999999999990.00");
    });

    it("rejects negative, fractional and unsafe quantities and malformed amounts", () => {
      expectValidationFailed(() => multiplyDecimal("1.00", -1));
      expectValidationFailed(() => multiplyDecimal("1.00", 1.5));
      expectValidationFailed(() => multiplyDecimal("1.00", 2 ** 53));
      expectValidationFailed(() => multiplyDecimal("1.00", -1n));
      expectValidationFailed(() => multiplyDecimal("1.005e2", 1));
    });
  });

  describe("compareDecimals", () => {
    it("compares by value, not by spelling", () => {
      expect(compareDecimals("34.9", "34.90")).to.equal(0);
      expect(compareDecimals("0", "0.000")).to.equal(0);
    });

    it("orders values whose strings sort the other way", () => {
      expect(compareDecimals("9.99", "10.00")).to.equal(-1);
      expect(compareDecimals("10", "9.999999")).to.equal(1);
      expect(compareDecimals("0.1", "0.09")).to.equal(1);
    });

    it("rejects a malformed operand", () => {
      expectValidationFailed(() => compareDecimals("1.0", "1."));
      expectValidationFailed(() => compareDecimals(".5", "0.5"));
    });
  });

  describe("roundDecimal", () => {
    it("rounds half-up: a tie goes up, below a tie goes down", () => {
      expect(roundDecimal({ value: "2.345", places: 2 })).to.equal("2.35");
      expect(roundDecimal({ value: "2.3449999", places: 2 })).to.equal("2.34");
      expect(roundDecimal({ value: "0.005", places: 2 })).to.equal("0.01");
      expect(roundDecimal({ value: "1234.5", places: 0 })).to.equal("1235");
      expect(roundDecimal({ value: "1234.49", places: 0 })).to.equal("1234");
    });

    it("carries into the integer part", () => {
      expect(roundDecimal({ value: "9.995", places: 2 })).to.equal("10.00");
      expect(roundDecimal({ value: "999.5", places: 0 })).to.equal("1000");
    });

    it("pads to exactly the requested places", () => {
      expect(roundDecimal({ value: "3", places: 2 })).to.equal("3.00");
      expect(roundDecimal({ value: "3.1", places: 2 })).to.equal("3.10");
      expect(roundDecimal({ value: "0", places: 0 })).to.equal("0");
    });

    it("rejects a malformed value and a bad number of places", () => {
      expectValidationFailed(() => roundDecimal({ value: "1.", places: 2 }));
      expectValidationFailed(() => roundDecimal({ value: "1.00", places: -1 }));
      expectValidationFailed(() => roundDecimal({ value: "1.00", places: 1.5 }));
    });
  });

  describe("multiplyDecimals", () => {
    it("multiplies exactly when no places are given", () => {
      expect(multiplyDecimals({ a: "150.01", b: "0.12" })).to.equal("18.0012");
      expect(multiplyDecimals({ a: "0.13", b: "0.70" })).to.equal("0.0910");
      expect(multiplyDecimals({ a: "999999999999999999.999999", b: "999999999999999999.999999" })).to.equal(
        "999999999999999999999998000000000000.000000000001", // (10^18 − 10^-6)² = 10^36 − 2·10^12 + 10^-12
      );
    });

    it("rounds the exact product half-up when places are given", () => {
      expect(multiplyDecimals({ a: "25.00", b: "0.085", places: 2 })).to.equal("2.13"); // 2.12500 is a tie
      expect(multiplyDecimals({ a: "168.01", b: "0.19", places: 2 })).to.equal("31.92"); // 31.9219
      expect(multiplyDecimals({ a: "12345", b: "0.10", places: 0 })).to.equal("1235"); // 1234.50
    });

    it("rejects a malformed operand", () => {
      expectValidationFailed(() => multiplyDecimals({ a: "1e2", b: "0.1" }));
      expectValidationFailed(() => multiplyDecimals({ a: "1", b: "-0.1" }));
    });
  });

  describe("trimDecimal", () => {
    it("drops trailing fraction zeros and a bare point, and nothing else", () => {
      expect(trimDecimal("0.0910")).to.equal("0.091");
      expect(trimDecimal("3.00")).to.equal("3");
      expect(trimDecimal("100")).to.equal("100");
      expect(trimDecimal("0.0")).to.equal("0");
    });

    it("rejects a malformed value", () => {
      expectValidationFailed(() => trimDecimal("1.2.0"));
    });
  });
});
