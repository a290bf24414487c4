/// <reference lib="dom" />
// The calculator page in the browser (docs/calculator/index.html): builds the
// form of the chosen command from the CLI's options, computes on every input,
// keeps the state in the URL's query string and draws the chart with Vega-Lite.
// Bundled into docs/calculator/calculator.js, a classic script (browsers refuse
// module scripts from file://).
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { chartMarks, chartSpec, chartTitle } from "./chart.ts";
import {
  type Answer,
  compute,
  type Field,
  fieldsOf,
  type InputError,
  isFileField,
  PAGE_COMMANDS,
  PASTED,
  summaryOf,
} from "./model.ts";

/** How people read each `--json` field; unknown fields show their own name. */
const LABELS: Record<string, string> = {
  limit: "limit l",
  safe: "safe allocation N",
  after: "allocated so far n",
  allocations: "further allocation n",
  k: "samples to interrupt k = l·p",
  error: "error (l − N)/N",
  interruptProbabilityAtSafe: "P_a(N), chance of an interrupt by N",
  interruptProbability: "P_a(n), chance of having been interrupted",
  target: "target t",
  ratio: "ratio r = l/N",
  rate: "sampling rate p (per word)",
  interval: "sampling interval S = 1/p",
  wordSize: "word size (bytes)",
  defaultRateSuffices: "default rate enough",
  allocRate: "allocation rate R",
  samplingInterval: "sampling interval τ",
  meanOvershoot: "mean overshoot R·τ",
  overshoot: "overshoot past the limit (more with probability t)",
  source: "values from",
  field: "property read",
  runs: "runs n",
  requiredConfidence: "confidence required c",
  largest: "largest value x_(n)",
  enough: "runs enough",
  index: "rank m of the limit",
  confidence: "confidence reached",
  runsNeeded: "runs needed for t at c",
  supportedTarget: "smallest t these runs support",
};

/** Labels that differ for one command. */
const COMMAND_LABELS: Record<string, Record<string, string>> = {
  observed: { limit: "limit x_(m)" },
};

/** The answer each command is asked for: shown first and large. */
const PRIMARY: Record<string, string> = {
  recommend: "limit",
  safe: "safe",
  probability: "interruptProbability",
  detect: "allocations",
  rate: "rate",
  overshoot: "overshoot",
  observed: "limit",
};

/** Fields that repeat the settings; shown last and small. */
const SETTINGS = new Set(["rate", "interval", "wordSize"]);

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const commandsBox = element<HTMLFieldSetElement>("commands");
const summary = element<HTMLParagraphElement>("summary");
const form = element<HTMLFormElement>("inputs");
const commandError = element<HTMLParagraphElement>("command-error");
const results = element<HTMLElement>("results");
const outputsList = element<HTMLDListElement>("outputs");
const cliLine = element<HTMLElement>("cli-line");
const cliText = element<HTMLElement>("cli-text");
const chartBox = element<HTMLDivElement>("chart");
const chartCaption = element<HTMLElement>("chart-title");

/** The page's state: the command and the values typed in, as in the query string. */
interface State {
  command: string;
  values: Map<string, string>;
}

/** Values typed in for any command, so that switching commands keeps them. */
const remembered = new Map<string, string>();

function stateFromUrl(): State {
  const params = new URLSearchParams(location.search);
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (name !== "command") values.set(name, value);
  }
  // An unknown command stays as given: the form is empty and the CLI's message says why.
  const command = params.get("command") ?? PAGE_COMMANDS[0];
  if (params.size === 0) {
    for (const field of fieldsOf(command)) {
      if (field.example !== "") values.set(field.name, field.example);
    }
  }
  for (const [name, value] of values) remembered.set(name, value);
  return { command, values };
}

function urlOf(state: State): string {
  const params = new URLSearchParams({ command: state.command });
  for (const [name, value] of state.values) {
    if (value.trim() !== "") params.set(name, value);
  }
  // Commas and slashes need no escape in a query: "100MiB/s" reads as typed.
  return `?${params.toString().replaceAll("%2C", ",").replaceAll("%2F", "/")}`;
}

let state: State = stateFromUrl();
/** Whether the next input starts a new history entry (after a change was committed). */
let startEntry = true;

function buildCommands() {
  const legend = document.createElement("legend");
  legend.textContent = "Command";
  commandsBox.append(legend);
  for (const name of PAGE_COMMANDS) {
    const label = document.createElement("label");
    label.className = "command";
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "command";
    radio.value = name;
    radio.id = `command-${name}`;
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      switchCommand(name);
    });
    label.append(radio, ` ${name}`);
    commandsBox.append(label);
  }
}

function fieldElement(field: Field): HTMLElement {
  const box = document.createElement("div");
  box.className = "field";
  box.dataset.field = field.name;
  const label = document.createElement("label");
  label.htmlFor = `field-${field.name}`;
  const code = document.createElement("code");
  code.textContent = `--${field.name}`;
  const input = document.createElement("input");
  input.id = `field-${field.name}`;
  input.name = field.name;
  if (isFileField(field)) {
    return fileFieldElement(field, box, label, code);
  }
  if (field.value === undefined) {
    // A flag: a checkbox inside its label.
    box.classList.add("flag");
    input.type = "checkbox";
    label.append(input, " ", code);
  } else {
    const placeholder = document.createElement("var");
    placeholder.textContent = field.value;
    label.append(code, " ", placeholder);
    input.type = "text";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
  }
  input.setAttribute(
    "aria-describedby",
    `hint-${field.name} error-${field.name}`,
  );
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.id = `hint-${field.name}`;
  // Option names in the help ("--rate") stay on one line.
  for (const part of field.help.split(/(--[a-z-]+)/)) {
    if (part === "") continue;
    if (part.startsWith("--")) {
      const name = document.createElement("code");
      name.textContent = part;
      hint.append(name);
    } else hint.append(part);
  }
  const error = document.createElement("p");
  error.className = "error";
  error.id = `error-${field.name}`;
  error.dataset.error = field.name;
  error.hidden = true;
  if (field.value === undefined) box.append(label, error, hint);
  else box.append(label, input, error, hint);
  return box;
}

/**
 * A field that takes a file's content (`observed --from FILE`): a text area to
 * paste the lines into, a file chooser, and dropping a file on the area.
 */
function fileFieldElement(
  field: Field,
  box: HTMLElement,
  label: HTMLLabelElement,
  code: HTMLElement,
): HTMLElement {
  box.classList.add("file");
  const placeholder = document.createElement("var");
  placeholder.textContent = field.value ?? "";
  label.append(code, " ", placeholder, ": the values, one per line");
  const area = document.createElement("textarea");
  area.id = `field-${field.name}`;
  area.name = field.name;
  area.rows = 8;
  area.spellcheck = false;
  area.setAttribute(
    "aria-describedby",
    `hint-${field.name} error-${field.name}`,
  );
  const chooserLabel = document.createElement("label");
  chooserLabel.className = "chooser";
  chooserLabel.htmlFor = `file-${field.name}`;
  chooserLabel.textContent = "or read a file (numbers or JSON lines):";
  const chooser = document.createElement("input");
  chooser.type = "file";
  chooser.id = `file-${field.name}`;
  chooser.accept = ".txt,.jsonl,.json,.ndjson,.csv,text/plain";
  const load = async (file: File | undefined) => {
    if (file === undefined) return;
    area.value = await file.text();
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.dispatchEvent(new Event("change", { bubbles: true }));
  };
  chooser.addEventListener("change", (event) => {
    event.stopPropagation(); // the text area's own events update the state
    load(chooser.files?.[0]);
  });
  chooser.addEventListener("input", (event) => event.stopPropagation());
  area.addEventListener("dragover", (event) => {
    event.preventDefault();
    area.classList.add("dropping");
  });
  area.addEventListener("dragleave", () => area.classList.remove("dropping"));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    area.classList.remove("dropping");
    load(event.dataTransfer?.files?.[0]);
  });
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.id = `hint-${field.name}`;
  hint.textContent =
    `${field.help}. Paste them here or drop a file; on the command line they are the file ${PASTED}.`;
  const error = document.createElement("p");
  error.className = "error";
  error.id = `error-${field.name}`;
  error.dataset.error = field.name;
  error.hidden = true;
  chooserLabel.append(chooser);
  box.append(label, area, error, hint, chooserLabel);
  return box;
}

function buildForm() {
  for (const radio of commandsBox.querySelectorAll("input")) {
    radio.checked = radio.value === state.command;
  }
  const known = PAGE_COMMANDS.includes(state.command);
  summary.textContent = known
    ? `${state.command}: ${summaryOf(state.command)}.`
    : "Choose a command.";
  form.replaceChildren(
    ...(known ? fieldsOf(state.command).map(fieldElement) : []),
  );
  for (
    const input of form.querySelectorAll<
      HTMLInputElement | HTMLTextAreaElement
    >(
      "input[name], textarea",
    )
  ) {
    const value = state.values.get(input.name);
    if (input instanceof HTMLInputElement && input.type === "checkbox") {
      input.checked = value !== undefined && value !== "false" && value !== "0";
    } else input.value = value ?? "";
  }
}

function readForm(): Map<string, string> {
  const values = new Map<string, string>();
  // Keys of the URL that are no field of this command stay, so the CLI's message names them.
  for (const [name, value] of state.values) {
    if (form.elements.namedItem(name) === null) values.set(name, value);
  }
  for (
    const input of form.querySelectorAll<
      HTMLInputElement | HTMLTextAreaElement
    >(
      "input[name], textarea",
    )
  ) {
    const value = input instanceof HTMLInputElement && input.type === "checkbox"
      ? (input.checked ? "true" : "")
      : input.value;
    if (value.trim() !== "") values.set(input.name, value);
    remembered.set(input.name, value);
  }
  return values;
}

function showErrors(errors: InputError[]) {
  commandError.hidden = true;
  for (const box of form.querySelectorAll<HTMLElement>(".field")) {
    box.querySelector("[name]")?.removeAttribute("aria-invalid");
    const message = box.querySelector<HTMLElement>(".error");
    if (message !== null) message.hidden = true;
  }
  for (const { field, message } of errors) {
    const input = form.elements.namedItem(field);
    const isField = input instanceof HTMLInputElement ||
      input instanceof HTMLTextAreaElement;
    const target = isField
      ? document.getElementById(`error-${field}`)
      : commandError;
    if (isField) input.setAttribute("aria-invalid", "true");
    if (target !== null) {
      target.textContent = message;
      target.hidden = false;
    }
  }
}

function outputElement(
  answer: Answer,
  output: Answer["outputs"][number],
): HTMLElement {
  const row = document.createElement("div");
  row.className = "output";
  if (output.name === PRIMARY[answer.command]) row.classList.add("primary");
  if (SETTINGS.has(output.name)) row.classList.add("setting");
  const term = document.createElement("dt");
  term.textContent = COMMAND_LABELS[answer.command]?.[output.name] ??
    LABELS[output.name] ?? output.name;
  const value = document.createElement("dd");
  value.dataset.output = output.name;
  value.dataset.value = String(output.value);
  value.textContent = output.text;
  row.append(term, value);
  return row;
}

function showAnswer(answer: Answer) {
  const outputs = [...answer.outputs].sort((a, b) =>
    rank(answer.command, a.name) - rank(answer.command, b.name)
  );
  outputsList.replaceChildren(
    ...outputs.map((output) => outputElement(answer, output)),
  );
  cliLine.textContent = answer.commandLine;
  cliText.textContent = answer.text;
  results.classList.remove("stale");
  results.removeAttribute("aria-disabled");
}

function rank(command: string, name: string): number {
  if (name === PRIMARY[command]) return 0;
  return SETTINGS.has(name) ? 2 : 1;
}

function clearAnswer() {
  // Nothing is computed from a bad input: no numbers stay on screen from the last good one.
  outputsList.replaceChildren();
  const note = document.createElement("p");
  note.className = "note";
  note.textContent = "Fix the input marked above to see the answer.";
  outputsList.append(note);
  cliLine.textContent = "";
  cliText.textContent = "";
  results.classList.add("stale");
  results.setAttribute("aria-disabled", "true");
  drawChart(undefined);
}

let lastAnswer: Answer | undefined;
let drawing = 0;
let view: vega.View | undefined;

/** Draws the chart of an answer, or clears it; the newest call wins. */
async function drawChart(answer: Answer | undefined) {
  const ticket = ++drawing;
  view?.finalize();
  view = undefined;
  if (answer === undefined) {
    chartBox.replaceChildren();
    chartCaption.textContent = "";
    chartBox.dataset.state = "empty";
    chartBox.setAttribute("aria-label", "No chart: the input has an error.");
    return;
  }
  chartCaption.textContent = chartTitle(answer.chart);
  const width = Math.max(200, chartBox.clientWidth - 72);
  const spec = compile(chartSpec(answer.chart, width) as TopLevelSpec).spec;
  const next = new vega.View(vega.parse(spec), {
    renderer: "svg",
    container: chartBox,
    hover: false,
  });
  view = next;
  await next.runAsync();
  if (ticket !== drawing) return;
  const marks = chartMarks(answer.chart);
  chartBox.setAttribute(
    "aria-label",
    `${chartTitle(answer.chart)}; marked: ${marks.join(", ")}.`,
  );
  chartBox.dataset.state = "drawn";
  chartBox.dataset.marks = JSON.stringify(marks);
}

function run() {
  const result = compute(state.command, state.values);
  if ("errors" in result) {
    lastAnswer = undefined;
    showErrors(result.errors);
    clearAnswer();
  } else {
    lastAnswer = result.answer;
    showErrors([]);
    showAnswer(result.answer);
    drawChart(result.answer);
  }
  document.body.dataset.computed = String(++computed);
}
let computed = 0;

function switchCommand(command: string) {
  const values = new Map<string, string>();
  for (const field of fieldsOf(command)) {
    const value = remembered.get(field.name) ?? field.example;
    if (value !== "") values.set(field.name, value);
  }
  state = { command, values };
  history.pushState(null, "", urlOf(state));
  startEntry = true;
  buildForm();
  run();
}

form.addEventListener("input", () => {
  state = { command: state.command, values: readForm() };
  // One history entry per edit of a field: the first keystroke adds it, the rest update it.
  if (startEntry) history.pushState(null, "", urlOf(state));
  else history.replaceState(null, "", urlOf(state));
  startEntry = false;
  run();
});
form.addEventListener("change", () => {
  startEntry = true;
});
form.addEventListener("submit", (event) => event.preventDefault());
addEventListener("popstate", () => {
  state = stateFromUrl();
  startEntry = true;
  buildForm();
  run();
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => drawChart(lastAnswer), 150);
});

buildCommands();
buildForm();
if (location.search === "") history.replaceState(null, "", urlOf(state));
run();
