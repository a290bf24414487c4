import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { erfcx } from "../../../stats/special/erfcx.ts";
import fixture from "../fixtures/erfcx.json" with { type: "json" };

test("erfcx: relative error <= 5e-16 against mpmath for u in [-26, 1e8]", () => {
  let worst = 0;
  let at = NaN;
  for (const { u, erfcx: reference } of fixture.points) {
    const error = Math.abs(erfcx(u) - reference) / reference;
    if (!(error <= worst)) {
      worst = error;
      at = u;
    }
  }
  assert.ok(
    fixture.points.length >= 200,
    `only ${fixture.points.length} points`,
  );
  assert.ok(worst <= 5e-16, `error ${worst} at u = ${at}`);
});

test("erfcx at 0, at ±Infinity and for NaN", () => {
  assert.equal(erfcx(0), 1);
  assert.equal(erfcx(Infinity), 0);
  assert.equal(erfcx(-Infinity), Infinity);
  assert.ok(Number.isNaN(erfcx(NaN)));
});

test("erfcx decays like 1/(u·√π) where erfc itself underflows", () => {
  for (const u of [30, 1e3, 1e8, 1e150]) {
    const asymptote = 1 / (u * Math.sqrt(Math.PI));
    // erfcx(u)·u·√π = 1 − 1/(2u²) + 3/(4u⁴) − …
    const expected = asymptote * (1 - 1 / (2 * u * u));
    const tolerance = Math.max(1 / u ** 4, 4e-16);
    assert.ok(
      Math.abs(erfcx(u) - expected) <= tolerance * expected,
      `u=${u}: ${erfcx(u)} vs ${expected}`,
    );
  }
});
