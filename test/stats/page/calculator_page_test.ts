// The calculator page (docs/calculator/index.html) in a real headless Chromium,
// loaded from file:// as a user opens it: every result it shows equals what
// `calc --json` prints for the same input, typing changes the result, the URL
// and the chart, bad input shows the CLI's message, the back button and the
// keyboard work, and it fits a phone's width. Also takes the screenshots.
//
// Runs once, under Deno (one browser is enough); Bun and Node skip it. Without a
// browser it is skipped loudly, unless CI=true, where that is a failure.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeno, test } from "../../harness.ts";
import { runCli } from "../../../stats/calc/main.ts";
import { Browser, findChromium, type Page } from "./browser.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const pageDir = join(root, "docs", "calculator");
const pageUrl = pathToFileURL(join(pageDir, "index.html")).href;

const chromium = findChromium();
const inCi = process.env.CI === "true";
if (chromium === undefined && isDeno) {
  const line = "!".repeat(72);
  console.warn(
    `${line}\n!! No Chromium found (looked for /usr/bin/chromium and others; set CHROMIUM=path).\n` +
      `!! The calculator page's browser tests are SKIPPED${
        inCi ? " — and that FAILS under CI=true" : ""
      }.\n!! Install it with: apt-get install -y chromium\n${line}`,
  );
}
// Skipped without a browser, except in CI, where the test runs and fails on the missing browser.
const skip = !isDeno || (chromium === undefined && !inCi);

/** Peak memory of runs, one number per line; and JSON lines as `result.usage` gives them. */
const NUMBERS = Array.from(
  { length: 60 },
  (_, i) => 30_000_000 + ((i * 7919) % 60) * 123_457,
).join("\n");
const JSON_LINES = Array.from(
  { length: 400 },
  (_, i) =>
    JSON.stringify({
      peakMemory: 50_000_000 + ((i * 104_729) % 400) * 65_536,
      cpuMs: 10 + ((i * 31) % 97) / 4,
    }),
).join("\n");

/** Options that are flags: given without a value on the command line. */
const FLAGS = new Set(["pool"]);

/** The name under which the page hands pasted values to `observed --from`. */
const PASTED = "values.txt";

/** Query strings per command, with the CLI's option names and units. */
const CASES: Record<string, Record<string, string>[]> = {
  overshoot: [
    { "alloc-rate": "100MiB/s", target: "1e-9" },
    { "alloc-rate": "1.5 GiB/s", target: "1e-6", "sampling-interval": "2" },
    { "alloc-rate": "20kw/s", target: "0.01", pool: "true", "word-size": "4" },
  ],
  observed: [
    { from: NUMBERS, target: "0.05" },
    { from: NUMBERS, target: "1e-3" }, // not enough runs
    {
      from: JSON_LINES,
      target: "0.01",
      confidence: "0.9",
      field: "peakMemory",
    },
  ],
  recommend: [
    { safe: "100KiB", target: "1e-9" },
    { safe: "1.5 MiB", target: "1e-6", "word-size": "4" },
    { safe: "2e6", target: "0.01", interval: "1MiB" },
  ],
  safe: [
    { limit: "1MiB", target: "1e-9" },
    { limit: "10MiB", target: "1e-6", rate: "1e-5" },
    { limit: "500kB", target: "0.5", "word-size": "4" },
  ],
  probability: [
    { limit: "1MiB", after: "100KiB" },
    { limit: "64KiB", after: "0", interval: "4KiB" },
    { limit: "2Mw", after: "3Mw", "word-size": "4" },
  ],
  detect: [
    { target: "1e-9" },
    { target: "1e-3", rate: "1e-2" },
    { target: "0.5", interval: "512KiB", "word-size": "4" },
  ],
  rate: [
    { safe: "100KiB", target: "1e-9" },
    { safe: "1MiB", target: "1e-6", ratio: "2" },
    { safe: "1e6", target: "1e-12", ratio: "100", "word-size": "4" },
  ],
};

function query(command: string, options: Record<string, string>): string {
  return `?${new URLSearchParams({ command, ...options })}`;
}

/** `<command> --<name> <value>… --json`, as typed on the command line. */
function cliArgs(command: string, options: Record<string, string>): string[] {
  const pairs = Object.entries(options).flatMap(([name, value]) =>
    FLAGS.has(name)
      ? [`--${name}`]
      : [`--${name}`, name === "from" ? PASTED : value]
  );
  return [command, ...pairs, "--json"];
}

/** What `observed --from values.txt` reads: the values the page was given. */
function pastedFile(options: Record<string, string>) {
  return {
    readText(path: string) {
      assert.equal(path, PASTED);
      return options.from ?? "";
    },
  };
}

/** What `calc <command> --<name> <value>… --json` prints, parsed. */
function cliJson(
  command: string,
  options: Record<string, string>,
): Record<string, unknown> {
  const run = runCli(cliArgs(command, options), pastedFile(options));
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

/** The CLI's message for bad input, without its "calc: " prefix. */
function cliMessage(command: string, options: Record<string, string>): string {
  const run = runCli(cliArgs(command, options), pastedFile(options));
  assert.equal(run.status, 2, `expected bad input: ${JSON.stringify(options)}`);
  return run.stderr.trim().replace(/^calc: /, "");
}

/** The page's results: data-output name to data-value text. */
function pageOutputs(page: Page): Promise<Record<string, string>> {
  return page.eval(
    `Object.fromEntries([...document.querySelectorAll("[data-output]")]
    .map((e) => [e.dataset.output, e.dataset.value]))`,
  );
}

/** Waits until the page has computed `count` times and its chart is settled. */
async function computed(page: Page, count: number) {
  await page.waitFor(`Number(document.body.dataset.computed) >= ${count}`);
  await page.waitFor(
    `["drawn", "empty"].includes(document.getElementById("chart").dataset.state)`,
  );
}

/** Checks every field of the CLI's JSON against the page's data-value, exactly or to 1e-12. */
function assertSameAsCli(
  page: Record<string, string>,
  cli: Record<string, unknown>,
  what: string,
) {
  const expected = Object.entries(cli).filter(([name]) => name !== "command");
  assert.deepEqual(
    Object.keys(page).sort(),
    expected.map(([name]) => name).sort(),
    `${what}: the page shows exactly the CLI's fields`,
  );
  for (const [name, value] of expected) {
    const text = page[name];
    if (
      typeof value === "boolean" || typeof value === "string" || value === null
    ) {
      assert.equal(text, String(value), `${what}: ${name}`);
      continue;
    }
    // Sizes as bytes, rates as bytes per second, intervals as ms.
    const record = value as Record<string, number>;
    const want = typeof value === "number"
      ? value
      : record.bytes ?? record.bytesPerSecond ?? record.ms;
    const got = Number(text);
    assert.ok(
      text !== "" && Number.isFinite(got) && typeof want === "number",
      `${what}: ${name} = ${JSON.stringify(text)} is a number`,
    );
    const relative = want === 0
      ? Math.abs(got)
      : Math.abs(got - want) / Math.abs(want);
    assert.ok(
      relative <= 1e-12,
      `${what}: ${name} is ${got} on the page, ${want} from calc --json`,
    );
  }
}

async function withPage(
  width: number,
  height: number,
  body: (page: Page) => Promise<void>,
) {
  assert.ok(
    chromium !== undefined,
    "no Chromium found: CI=true needs one (apt-get install -y chromium)",
  );
  const browser = await Browser.launch(chromium);
  try {
    const page = await browser.newPage(width, height);
    const errors: string[] = [];
    const network: string[] = [];
    const stop = browser.on((method, params) => {
      if (method === "Runtime.exceptionThrown") {
        errors.push(JSON.stringify(params));
      }
      if (method === "Runtime.consoleAPICalled" && params.type === "error") {
        errors.push(JSON.stringify(params.args));
      }
      const url = (params.request as { url?: string } | undefined)?.url ?? "";
      if (
        method === "Network.requestWillBeSent" &&
        !/^(file|data|about):/.test(url)
      ) {
        network.push(url);
      }
    });
    await page.send("Network.enable");
    await body(page);
    stop();
    assert.deepEqual(errors, [], "no uncaught errors in the page");
    assert.deepEqual(
      network,
      [],
      "no network requests: the page is self-contained",
    );
  } finally {
    await browser.close();
  }
}

test(
  "page: every command's results equal calc --json, for several query strings",
  async () => {
    await withPage(1280, 1000, async (page) => {
      for (const [command, cases] of Object.entries(CASES)) {
        for (const options of cases) {
          const what = `${command} ${JSON.stringify(options).slice(0, 100)}`;
          await page.goto(pageUrl + query(command, options));
          await computed(page, 1);
          assertSameAsCli(
            await pageOutputs(page),
            cliJson(command, options),
            what,
          );
          // The form shows the query's values, the chart is drawn, and no error is shown.
          for (const [name, value] of Object.entries(options)) {
            const shown = FLAGS.has(name)
              ? `document.getElementById("field-${name}").checked ? "true" : ""`
              : `document.getElementById("field-${name}").value`;
            assert.equal(
              await page.eval(shown),
              value,
              `${what}: field ${name}`,
            );
          }
          assert.equal(
            await page.eval(
              `document.querySelector("#chart svg path") !== null`,
            ),
            true,
            `${what}: chart drawn`,
          );
          assert.equal(
            await page.eval(
              `[...document.querySelectorAll(".error")].filter((e) => !e.hidden).length`,
            ),
            0,
            `${what}: no error shown`,
          );
        }
      }
    });
  },
  { skip },
);

test(
  "page: typing changes the results, the URL and the chart; bad input shows the CLI's message; back restores",
  async () => {
    await withPage(1280, 1000, async (page) => {
      await page.goto(
        pageUrl + query("recommend", { safe: "100KiB", target: "1e-9" }),
      );
      await computed(page, 1);
      const chartBefore = await page.eval(
        `document.getElementById("chart").dataset.marks`,
      );
      const svgBefore = await page.eval(
        `document.querySelector("#chart svg").outerHTML`,
      );

      // Replace --safe by typing, as a user does.
      await page.eval(`document.getElementById("field-safe").select()`);
      await page.eval(`document.getElementById("field-safe").focus()`);
      await page.type("1MiB");
      await computed(page, 2);
      assertSameAsCli(
        await pageOutputs(page),
        cliJson("recommend", { safe: "1MiB", target: "1e-9" }),
        "after typing 1MiB",
      );
      const search = await page.eval(`location.search`);
      assert.equal(
        new URLSearchParams(search).get("safe"),
        "1MiB",
        `URL follows the input: ${search}`,
      );
      await page.waitFor(
        `document.getElementById("chart").dataset.marks !== ${
          JSON.stringify(chartBefore)
        }`,
      );
      assert.notEqual(
        await page.eval(`document.querySelector("#chart svg").outerHTML`),
        svgBefore,
        "the chart is redrawn",
      );
      await page.press("Tab"); // leaves the field: the edit is one history entry

      // Bad input: the CLI's message beside the field, and no result computed from it.
      for (
        const [name, bad] of [
          ["target", "2"],
          ["safe", "12 parsecs"],
          ["safe", "-1KiB"],
          ["word-size", "5"],
          ["rate", "0"],
          ["interval", "0.5"],
        ]
      ) {
        const count = Number(await page.eval(`document.body.dataset.computed`));
        await page.eval(`document.getElementById("field-${name}").select()`);
        await page.eval(`document.getElementById("field-${name}").focus()`);
        await page.type(bad);
        await computed(page, count + 1);
        const good = { safe: "1MiB", target: "1e-9" };
        const expected = cliMessage("recommend", { ...good, [name]: bad });
        assert.equal(
          await page.eval(
            `document.getElementById("error-${name}").textContent`,
          ),
          expected,
          `${name}=${bad}: the CLI's message beside the field`,
        );
        assert.equal(
          await page.eval(`document.getElementById("error-${name}").hidden`),
          false,
        );
        assert.equal(
          await page.eval(
            `document.getElementById("field-${name}").getAttribute("aria-invalid")`,
          ),
          "true",
        );
        assert.deepEqual(
          await pageOutputs(page),
          {},
          `${name}=${bad}: no results`,
        );
        assert.equal(
          await page.eval(`document.getElementById("chart").dataset.state`),
          "empty",
          `${name}=${bad}: no chart`,
        );
        // Restore the field (empty for the optional ones, as before).
        await page.eval(`document.getElementById("field-${name}").select()`);
        const restore = name === "safe"
          ? "1MiB"
          : name === "target"
          ? "1e-9"
          : "";
        if (restore === "") await page.press("Backspace");
        else await page.type(restore);
        await computed(page, count + 2);
        assert.equal(
          await page.eval(
            `[...document.querySelectorAll(".error")].filter((e) => !e.hidden).length`,
          ),
          0,
          `${name}: error gone once fixed`,
        );
        await page.press("Tab");
      }

      // Each edit of a field (focus to leaving it) is one history entry: Back undoes it.
      for (const [name, value] of [["target", "1e-6"], ["safe", "2MiB"]]) {
        const count = Number(await page.eval(`document.body.dataset.computed`));
        await page.eval(`document.getElementById("field-${name}").select()`);
        await page.eval(`document.getElementById("field-${name}").focus()`);
        await page.type(value);
        await computed(page, count + 1);
        await page.press("Tab");
      }
      assertSameAsCli(
        await pageOutputs(page),
        cliJson("recommend", { safe: "2MiB", target: "1e-6" }),
        "after two edits",
      );
      for (
        const expected of [
          { safe: "1MiB", target: "1e-6" },
          { safe: "1MiB", target: "1e-9" },
        ]
      ) {
        const count = Number(await page.eval(`document.body.dataset.computed`));
        await page.eval(`history.back()`);
        await computed(page, count + 1);
        const params = new URLSearchParams(await page.eval(`location.search`));
        assert.deepEqual(
          { safe: params.get("safe"), target: params.get("target") },
          expected,
          "Back restores the URL",
        );
        assert.equal(
          await page.eval(`document.getElementById("field-safe").value`),
          expected.safe,
          "Back restores the field",
        );
        assertSameAsCli(
          await pageOutputs(page),
          cliJson("recommend", expected),
          `after Back to ${JSON.stringify(expected)}`,
        );
      }

      // A missing required option and an unknown command give the CLI's messages.
      await page.goto(pageUrl + query("safe", { target: "1e-9" }));
      await computed(page, 1);
      assert.equal(
        await page.eval(`document.getElementById("error-limit").textContent`),
        cliMessage("safe", { target: "1e-9" }),
      );
      await page.goto(`${pageUrl}?command=bogus`);
      await computed(page, 1);
      // The CLI's message, listing the commands the page offers (all but `table`).
      const offered = await page.eval<string[]>(
        `[...document.querySelectorAll("#commands input")].map((i) => i.value)`,
      );
      assert.equal(
        await page.eval(`document.getElementById("command-error").textContent`),
        runCli(["bogus"]).stderr.trim().replace(/^calc: /, "")
          .replace(/one of [^"]*, got/, `one of ${offered.join(", ")}, got`),
      );
      assert.deepEqual(await pageOutputs(page), {});
    });
  },
  { skip },
);

test("page: usable with the keyboard alone, every input labelled", async () => {
  await withPage(1280, 1000, async (page) => {
    await page.goto(
      pageUrl + query("recommend", { safe: "100KiB", target: "1e-9" }),
    );
    await computed(page, 1);
    assert.deepEqual(
      await page.eval(`[...document.querySelectorAll("input")]
        .filter((i) => i.labels.length === 0 || i.labels[0].textContent.trim() === "")
        .map((i) => i.id)`),
      [],
      "every input has a label",
    );
    // Tab from the start reaches the chosen command; arrows choose another one.
    await page.eval(`document.activeElement?.blur()`);
    let focused = "";
    for (let i = 0; i < 5 && focused !== "command-recommend"; i++) {
      await page.press("Tab");
      focused = await page.eval(`document.activeElement.id`);
    }
    assert.equal(focused, "command-recommend", "Tab reaches the commands");
    await page.press("ArrowRight");
    await computed(page, 2);
    assert.equal(await page.eval(`document.activeElement.id`), "command-safe");
    assert.equal(
      new URLSearchParams(await page.eval(`location.search`)).get("command"),
      "safe",
    );
    // Tab goes on to the command's first field; typing there computes.
    await page.press("Tab");
    assert.equal(await page.eval(`document.activeElement.id`), "field-limit");
    await page.eval(`document.activeElement.select()`);
    await page.type("4MiB");
    await computed(page, 3);
    assertSameAsCli(
      await pageOutputs(page),
      cliJson("safe", { limit: "4MiB", target: "1e-9" }),
      "safe after keyboard input",
    );
    await page.press("Tab");
    assert.equal(await page.eval(`document.activeElement.id`), "field-target");
  });
}, { skip });

/** Screenshots go under docs/calculator/ with UPDATE_SCREENSHOTS=1, else to a temporary folder. */
async function screenshotDir(): Promise<string> {
  if (process.env.UPDATE_SCREENSHOTS === "1") return pageDir;
  const dir = await mkdtemp(join(tmpdir(), "memlimits-page-"));
  await mkdir(dir, { recursive: true });
  return dir;
}

test(
  "page: screenshots at desktop and phone width; nothing wider than a 390 px screen",
  async () => {
    const dir = await screenshotDir();
    const url = pageUrl +
      query("recommend", { safe: "100KiB", target: "1e-9" });
    await withPage(1200, 900, async (page) => {
      for (
        const [name, width, height] of [
          ["screenshot.png", 1200, 900],
          ["screenshot-narrow.png", 390, 844],
        ] as const
      ) {
        await page.resize(width, height);
        // Every command fits a phone's width: no sideways scrolling.
        const commands = width < 600 ? Object.entries(CASES) : [];
        for (const [command, cases] of commands) {
          await page.goto(pageUrl + query(command, cases[0]));
          await computed(page, 1);
          const overflow = await page.eval(
            `document.documentElement.scrollWidth - window.innerWidth`,
          );
          assert.ok(
            overflow <= 0,
            `${command} at ${width} px: ${overflow} px wider than the screen`,
          );
        }
        await page.goto(url);
        await computed(page, 1);
        const png = await page.screenshot();
        assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
        await writeFile(join(dir, name), png);
      }
    });
    console.log(`calculator page screenshots in ${dir}`);
  },
  { skip },
);

test(
  "page: observed reads pasted numbers, a chosen file and a dropped file of JSON lines; overshoot's chart follows the rate",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "memlimits-runs-"));
    try {
      await withPage(1280, 1000, async (page) => {
        // Pasted numbers, typed into the text area.
        await page.goto(pageUrl + query("observed", { target: "0.05" }));
        await computed(page, 1);
        assert.equal(
          await page.eval(`document.getElementById("error-from").textContent`),
          cliMessage("observed", { target: "0.05" }),
          "no values: the CLI's message beside the text area",
        );
        await page.eval(`document.getElementById("field-from").focus()`);
        await page.type(NUMBERS);
        await computed(page, 2);
        assertSameAsCli(
          await pageOutputs(page),
          cliJson("observed", { from: NUMBERS, target: "0.05" }),
          "pasted numbers",
        );
        assert.equal(
          new URLSearchParams(await page.eval(`location.search`)).get("from"),
          NUMBERS,
          "the values are in the URL",
        );
        // A bad line: the CLI's message, naming the line, beside the text area.
        const bad = `${NUMBERS}\n12 MB`;
        await page.type("\n12 MB");
        await computed(page, 3);
        assert.equal(
          await page.eval(`document.getElementById("error-from").textContent`),
          cliMessage("observed", { from: bad, target: "0.05" }),
        );
        assert.deepEqual(await pageOutputs(page), {});

        // A chosen file of JSON lines, with --field.
        const file = join(dir, "runs.jsonl");
        await writeFile(file, `${JSON_LINES}\n`);
        await page.eval(
          `document.getElementById("field-field").value = "peakMemory"`,
        );
        const { result } = await page.send("Runtime.evaluate", {
          expression: `document.getElementById("file-from")`,
        });
        const count = Number(await page.eval(`document.body.dataset.computed`));
        await page.send("DOM.setFileInputFiles", {
          files: [file],
          objectId: result.objectId,
        });
        await computed(page, count + 1);
        await page.waitFor(
          `document.querySelector('[data-output="field"]')?.dataset.value === "peakMemory"`,
        );
        const options = {
          from: `${JSON_LINES}\n`,
          target: "0.05",
          field: "peakMemory",
        };
        assertSameAsCli(
          await pageOutputs(page),
          cliJson("observed", options),
          "chosen file",
        );

        // A file dropped on the text area.
        const before = Number(
          await page.eval(`document.body.dataset.computed`),
        );
        await page.eval(`(() => {
        const data = new DataTransfer();
        data.items.add(new File([${JSON.stringify(NUMBERS)}], "runs.txt"));
        document.getElementById("field-field").value = "";
        document.getElementById("field-from").dispatchEvent(
          new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
      })()`);
        await computed(page, before + 1);
        await page.waitFor(
          `document.querySelector('[data-output="field"]')?.dataset.value === "null"`,
        );
        assertSameAsCli(
          await pageOutputs(page),
          cliJson("observed", { from: NUMBERS, target: "0.05" }),
          "dropped file",
        );

        // overshoot: the chart of the bound against the rate follows --alloc-rate and --pool.
        await page.goto(
          pageUrl +
            query("overshoot", { "alloc-rate": "100MiB/s", target: "1e-9" }),
        );
        await computed(page, 1);
        const marks = await page.eval(
          `document.getElementById("chart").dataset.marks`,
        );
        assert.deepEqual(JSON.parse(marks), ["R = 100 MiB/s"]);
        await page.eval(`document.getElementById("field-alloc-rate").select()`);
        await page.eval(`document.getElementById("field-alloc-rate").focus()`);
        await page.type("2GiB/s");
        await computed(page, 2);
        await page.waitFor(
          `document.getElementById("chart").dataset.marks === ${
            JSON.stringify(JSON.stringify(["R = 2 GiB/s"]))
          }`,
        );
        // --pool by keyboard: Tab to the checkbox, Space.
        await page.eval(
          `document.getElementById("field-sampling-interval").focus()`,
        );
        await page.press("Tab");
        assert.equal(
          await page.eval(`document.activeElement.id`),
          "field-pool",
        );
        await page.press(" ");
        await computed(page, 3);
        assert.equal(
          new URLSearchParams(await page.eval(`location.search`)).get("pool"),
          "true",
        );
        assertSameAsCli(
          await pageOutputs(page),
          cliJson("overshoot", {
            "alloc-rate": "2GiB/s",
            target: "1e-9",
            pool: "true",
          }),
          "overshoot --pool",
        );
        assert.match(
          await page.eval(`document.getElementById("chart-title").textContent`),
          /τ = 1 ms/,
        );
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  { skip },
);
