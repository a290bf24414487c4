// The committed statistical docs are what the generator writes today (on
// Deno and on Bun: the output must not depend on the runtime), the charts are
// well-formed SVG with axis titles and a legend, and the numbers in them are
// the statistics core's.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { test } from "../../harness.ts";
import {
  accuracyTable,
  overshootBytes,
  recommendLimit,
} from "../../../stats/mod.ts";
import observed from "../fixtures/observed.json" with { type: "json" };
import { writeDocs } from "../../../stats/docs/generate.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const docs = join(root, "docs");

/** Paths of docs/statistical.md and everything under docs/statistical/, relative to docs/. */
async function statisticalFiles(dir: string): Promise<string[]> {
  const assets = await readdir(join(dir, "statistical"));
  return ["statistical.md", ...assets.map((name) => `statistical/${name}`)]
    .sort();
}

test("the committed docs/statistical* are exactly what the generator writes", async () => {
  const temp = await mkdtemp(join(tmpdir(), "memlimits-docs-"));
  try {
    const written = await writeDocs(temp);
    assert.deepEqual(await statisticalFiles(temp), [...written].sort());
    assert.deepEqual(
      await statisticalFiles(docs),
      [...written].sort(),
      "docs/statistical/ has missing or extra files: run `deno task docs`",
    );
    for (const path of written) {
      const fresh = await readFile(join(temp, path), "utf8");
      const committed = await readFile(join(docs, path), "utf8");
      assert.ok(
        fresh === committed,
        `docs/${path} is stale: run \`deno task docs\` and commit it`,
      );
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
});

interface SvgTexts {
  axisTitles: string[];
  legendTitles: string[];
  legendLabels: string[];
}

/** Texts of the axis-title and legend marks of a vega SVG, found by parsing the XML. */
function svgTexts(svg: string): SvgTexts {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    textNodeName: "#text",
  });
  const found: SvgTexts = {
    axisTitles: [],
    legendTitles: [],
    legendLabels: [],
  };
  const textOf = (node: unknown): string[] => {
    if (typeof node === "string" || typeof node === "number") {
      return [String(node)];
    }
    if (Array.isArray(node)) return node.flatMap(textOf);
    if (node !== null && typeof node === "object") {
      return Object.entries(node).filter(([key]) => !key.startsWith("@"))
        .flatMap(([, value]) => textOf(value));
    }
    return [];
  };
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    const role = String(record["@class"] ?? "");
    if (role.includes("role-axis-title")) {
      found.axisTitles.push(...textOf(record.text));
    } else if (role.includes("role-legend-title")) {
      found.legendTitles.push(...textOf(record.text));
    } else if (role.includes("role-legend-label")) {
      found.legendLabels.push(...textOf(record.text));
    }
    for (const [key, value] of Object.entries(record)) {
      if (!key.startsWith("@")) visit(value);
    }
  };
  visit(parser.parse(svg));
  return found;
}

test("each chart is well-formed SVG with both axis titles (with units) and a legend", async () => {
  const expected: Record<string, SvgTexts> = {
    "interrupt-probability.svg": {
      axisTitles: [
        "allocated so far relative to the limit, n / l (ratio)",
        "probability of having been interrupted, P_a(n)",
      ],
      legendTitles: ["samples to interrupt, k"],
      legendLabels: [
        "k = 1",
        "k = 4",
        "k = 16",
        "k = 64",
        "k = 256",
        "k = 1024",
      ],
    },
    "error-vs-safe.svg": {
      axisTitles: [
        "safe allocation N (KiB, 64-bit words; log scale)",
        "error (l − N)/N (ratio; log scale)",
      ],
      legendTitles: ["target probability t"],
      legendLabels: ["t = 1e-9", "t = 4e-15", "t = 1e-50"],
    },
    "limit-for-safe.svg": {
      axisTitles: [
        "target safe allocation N (KiB, 64-bit words; log scale)",
        "allocation limit l (KiB, 64-bit words; log scale)",
      ],
      legendTitles: ["target probability t"],
      legendLabels: ["t = 1e-9", "t = 4e-15", "t = 1e-50"],
    },
    "overshoot.svg": {
      axisTitles: [
        "allocation rate R (MiB/s; log scale)",
        "overshoot bound (MiB; log scale)",
      ],
      legendTitles: ["target t, mean interval τ"],
      legendLabels: [10, 1].flatMap((ms) =>
        ["1e-9", "4e-15", "1e-50"].map((t) => `t = ${t}, τ = ${ms} ms`)
      ),
    },
  };
  const markdown = await readFile(join(docs, "statistical.md"), "utf8");
  for (const [name, texts] of Object.entries(expected)) {
    const svg = await readFile(join(docs, "statistical", name), "utf8");
    assert.equal(
      XMLValidator.validate(svg),
      true,
      `${name} is not well-formed XML`,
    );
    assert.match(
      svg,
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+" height="\d+"/,
    );
    const found = svgTexts(svg);
    assert.deepEqual(
      found.axisTitles.sort(),
      [...texts.axisTitles].sort(),
      name,
    );
    assert.deepEqual(found.legendTitles, texts.legendTitles, name);
    assert.deepEqual(found.legendLabels, texts.legendLabels, name);
    assert.ok(
      markdown.includes(`](statistical/${name})`),
      `statistical.md shows ${name}`,
    );
  }
  for (
    const csv of [
      "interrupt-probability",
      "accuracy",
      "limit-for-safe",
      "minimal-rate",
      "overshoot",
    ]
  ) {
    assert.ok(
      markdown.includes(`](statistical/${csv}.csv)`),
      `statistical.md links ${csv}.csv`,
    );
  }
  // The validator does catch broken SVG.
  assert.notEqual(XMLValidator.validate("<svg><g></svg>"), true);
});

test("statistical.md states the seed's figures as computed: 64% after 80 KiB, 1.58 / 2.46 / 8.78 MiB", async () => {
  const markdown = await readFile(join(docs, "statistical.md"), "utf8");
  // Hand check (mpmath, 50 digits): 1 - (1 - 1e-4)^10240 = 0.64086..., ^20480 = 0.87102...;
  // ceil(ln t / ln(1 - 1e-4)) = 207223, 322346, 1151235 words, times 8 bytes in MiB:
  // 1.581, 2.459, 8.783; times 4 bytes: 809.6 KiB, 1.230 MiB, 4.392 MiB.
  assert.ok(
    markdown.includes(
      "| chance of an interrupt after 80 KiB | 64.1% | 87.1% |",
    ),
  );
  assert.ok(
    markdown.includes(
      "| chance of none at most 1e-9 after | 1.58 MiB | 809 KiB |",
    ),
  );
  assert.ok(
    markdown.includes(
      "| chance of none at most 1e-14 after | 2.46 MiB | 1.23 MiB |",
    ),
  );
  assert.ok(
    markdown.includes(
      "| chance of none at most 1e-50 after | 8.78 MiB | 4.39 MiB |",
    ),
  );
  for (
    const symbol of [
      "| p |",
      "| S |",
      "| l |",
      "| k |",
      "| n |",
      "| t |",
      "| N |",
      "| P_t(n) |",
      "| P_a(n) |",
    ]
  ) {
    assert.ok(markdown.includes(symbol), `defines ${symbol}`);
  }
  assert.ok(markdown.includes("P_a(n) = I_p(k, n − k + 1)"));
  // The seed's accuracy claim: error below 10 from about N = 20 kilowords at t = 4e-15.
  assert.match(markdown, /- t = 4e-15: N = 2\d\.\d kw /);
});

test("the CSV data equal the statistics core's values to 7 significant digits", async () => {
  const rows =
    (await readFile(join(docs, "statistical", "accuracy.csv"), "utf8")).trim()
      .split("\n");
  assert.equal(
    rows[0],
    "target,k,limit_words,limit_bytes_64bit,safe_words,safe_bytes_64bit,error",
  );
  assert.ok(
    rows.length > 3 * 81,
    "k from 1 to 10^4, 20 per decade, for three targets",
  );
  const close = (text: string, value: number, what: string) => {
    if (!Number.isFinite(value)) return assert.equal(text, "inf", what);
    assert.ok(
      Math.abs(Number(text) - value) <= 5e-7 * Math.abs(value),
      `${what}: ${text} vs ${value}`,
    );
  };
  for (const line of rows.slice(1)) {
    const [target, k, limit, , safe, , error] = line.split(",");
    const [core] = accuracyTable({ target: Number(target), ks: [Number(k)] });
    close(limit, core.limit, `limit at k=${k}`);
    assert.equal(Number(safe), core.safe, `N at k=${k}, t=${target}`); // integers are exact
    close(error, core.error, `error at k=${k}`);
  }
  assert.equal(Number(rows.at(-1)!.split(",")[1]), 1e4);

  const limits =
    (await readFile(join(docs, "statistical", "limit-for-safe.csv"), "utf8"))
      .trim().split("\n");
  for (const line of limits.slice(1)) {
    const [target, safe, , limit] = line.split(",");
    close(
      limit,
      recommendLimit(Number(safe), Number(target), 1e-4),
      `l for N=${safe}`,
    );
  }
});

test("statistical.md opens with what memlimits' limits are: exact, never early, overshoot random", async () => {
  const markdown = await readFile(join(docs, "statistical.md"), "utf8");
  const intro = markdown.split("\n\n").slice(2, 3).join("");
  assert.match(intro, /never fires before it is reached/);
  // What is exact where: V8's heap counter on Deno and Node 25+, not ArrayBuffers, nothing on Bun.
  assert.doesNotMatch(intro, /counts allocations exactly/);
  assert.match(
    intro,
    /On Deno and Node ≥ 25 the allocation\s+counter is V8's exact count of heap allocations/,
  );
  assert.match(intro, /ArrayBuffer contents are outside it/);
  assert.match(
    intro,
    /On Bun \(and Node before 25\) allocation limits are refused/,
  );
  // The calculator is named as an installed package runs it.
  assert.match(markdown, /^npx memlimits overshoot /m);
  assert.doesNotMatch(markdown, /^deno task calc /m);
  assert.doesNotMatch(
    markdown,
    /memlimits, like OCaml's memprof-limits, does not count/,
  );
  // The three models, in this order.
  const headings = markdown.match(/^## .*$/gm) ?? [];
  assert.deepEqual(headings, [
    "## memlimits' own limits",
    "## Limits from observed runs",
    "## memprof's sampled allocation limits",
  ]);
  assert.match(
    markdown,
    /never early: a task that allocates up to l is never\ninterrupted, so the safe allocation is N = l/,
  );
});

test("statistical.md's overshoot tables and CSV are mpmath's bounds (20.7 MiB at 100 MiB/s, 10 ms, 1e-9)", async () => {
  const markdown = await readFile(join(docs, "statistical.md"), "utf8");
  const MiB = 2 ** 20;
  // mpmath (fixtures/observed.json): 21729909 bytes = 20.72 MiB; 10 MiB/s at 1 ms: 217289 bytes = 212 KiB.
  const reference = (t: number, rate: number, ms: number) =>
    observed.overshootBytes.find((c) =>
      c.t === t && c.bytesPerSecond === rate && c.intervalMs === ms
    )!.bytes;
  assert.equal(reference(1e-9, 100 * MiB, 10), 21729909);
  assert.ok(
    markdown.includes("| 100 MiB/s | 1 MiB | 20.7 MiB | 33.2 MiB | 115 MiB |"),
  );
  assert.ok(
    markdown.includes("| 10 MiB/s | 10.2 KiB | 212 KiB | 339 KiB | 1.15 MiB |"),
  );
  assert.equal(
    Math.round(reference(4e-15, 100 * MiB, 10) / MiB * 10) / 10,
    33.2,
  );
  assert.equal(Math.round(reference(1e-50, 1024 * MiB, 1) / MiB), 118);
  assert.ok(
    markdown.includes("| 1 GiB/s | 1.02 MiB | 21.2 MiB | 33.9 MiB | 118 MiB |"),
  );
  const rows =
    (await readFile(join(docs, "statistical", "overshoot.csv"), "utf8"))
      .trim().split("\n");
  assert.equal(
    rows[0],
    "interval_ms,target,rate_bytes_per_s,mean_overshoot_bytes,overshoot_bytes",
  );
  assert.equal(rows.length, 1 + 2 * 3 * 33, "2 intervals, 3 targets, 33 rates");
  for (const line of rows.slice(1)) {
    const [ms, t, rate, mean, bytes] = line.split(",").map(Number);
    assert.equal(bytes, overshootBytes(t, rate, ms), line); // integers are exact
    assert.ok(Math.abs(mean - rate * ms / 1000) <= 5e-7 * mean, line);
  }
  // The fixture's grid points that the CSV holds agree with mpmath.
  let matched = 0;
  for (const c of observed.overshootBytes) {
    const row = rows.find((line) =>
      line.startsWith(`${c.intervalMs},${c.t},${c.bytesPerSecond},`)
    );
    if (row === undefined) continue;
    assert.equal(Number(row.split(",")[4]), c.bytes, row);
    matched++;
  }
  assert.ok(matched >= 6, `${matched} CSV rows checked against mpmath`);
});

test("statistical.md's runs-needed table and example are mpmath's (2,995 runs for 1e-3 at 95 %)", async () => {
  const markdown = await readFile(join(docs, "statistical.md"), "utf8");
  for (const t of [0.1, 0.01, 1e-3, 1e-4, 1e-6, 1e-9]) {
    const ref = observed.runsNeeded.find((r) => r.t === t && r.c === 0.95);
    assert.ok(ref, `mpmath reference for ${t}`);
    const label = t >= 0.01 ? String(t) : `1e-${-Math.log10(t)}`;
    assert.ok(
      markdown.includes(`| ${label} | ${ref.n.toLocaleString("en-US")} |`),
      `runs needed for ${label}: ${ref.n}`,
    );
  }
  const example = observed.observedLimit.find((r) =>
    r.n === 1000 && r.t === 0.01 && r.c === 0.95
  )!;
  assert.equal(example.index, 996);
  assert.ok(markdown.includes("the limit is x_(996), the 5th largest value"));
  const big = observed.observedLimit.find((r) =>
    r.n === 10000 && r.t === 1e-3 && r.c === 0.95
  )!;
  assert.match(
    markdown,
    new RegExp(
      `^\\| 10,000 \\|.*\\| the ${10000 - big.index! + 1}th largest \\|$`,
      "m",
    ),
  );
});
