// A headless Chromium driven through the DevTools protocol over the runtime's
// own WebSocket. A small client of our own rather than puppeteer-core: the
// test needs a dozen protocol methods, and puppeteer-core brings its own
// WebSocket package and a tree of dependencies for them.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** Where Debian and others install Chromium; `CHROMIUM` overrides. */
const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/** The Chromium executable to use (`CHROMIUM`, if set, and only it), or undefined when there is none. */
export function findChromium(): string | undefined {
  const given = process.env.CHROMIUM;
  if (given !== undefined && given !== "") {
    return existsSync(given) ? given : undefined;
  }
  return CANDIDATES.find((path) => existsSync(path));
}

type Params = Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type Result = any;

interface Pending {
  resolve: (value: Result) => void;
  reject: (error: Error) => void;
  method: string;
}

/** A running headless Chromium and its DevTools connection. */
export class Browser {
  #process: ChildProcess;
  #socket: WebSocket;
  #profile: string;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Set<
    (method: string, params: Params, session?: string) => void
  >();

  private constructor(
    process: ChildProcess,
    socket: WebSocket,
    profile: string,
  ) {
    this.#process = process;
    this.#socket = socket;
    this.#profile = profile;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) {
          pending?.reject(
            new Error(`${pending.method}: ${message.error.message}`),
          );
        } else pending?.resolve(message.result);
      } else {
        for (const listener of this.#listeners) {
          listener(message.method, message.params, message.sessionId);
        }
      }
    });
  }

  /** Starts Chromium headless with a fresh profile and connects to it. */
  static async launch(executable: string): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), "memlimits-chromium-"));
    const child = spawn(executable, [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      "--font-render-hinting=none",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        const timer = setTimeout(
          () => reject(new Error(`Chromium did not start: ${text}`)),
          20_000,
        );
        child.stderr?.on("data", (chunk) => {
          text += chunk;
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`Chromium exited (${code}): ${text}`));
        });
      });
      child.stderr?.removeAllListeners("data");
      child.stderr?.resume(); // keep draining its log so it never blocks
      const socket = new WebSocket(url);
      await new Promise((resolve, reject) => {
        socket.addEventListener("open", resolve, { once: true });
        socket.addEventListener("error", reject, { once: true });
      });
      return new Browser(child, socket, profile);
    } catch (error) {
      child.kill("SIGKILL");
      await removeProfile(profile);
      throw error;
    }
  }

  /** Sends a protocol command, to the browser or to a page's session. */
  send(
    method: string,
    params: Params = {},
    sessionId?: string,
  ): Promise<Result> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  /** Calls `listener` for every protocol event until the returned function is called. */
  on(
    listener: (method: string, params: Params, session?: string) => void,
  ): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens a new tab of the given size. */
  async newPage(width: number, height: number): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new Page(this, sessionId);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.resize(width, height);
    return page;
  }

  /** Closes the connection, stops Chromium and removes its profile. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) =>
      this.#process.once("exit", resolve)
    );
    const running = this.#process.exitCode === null &&
      this.#process.signalCode === null;
    // Asked to quit, so that its helper processes end with it; killed if it lingers.
    const timer = setTimeout(() => this.#process.kill("SIGKILL"), 3000);
    try {
      await this.send("Browser.close");
    } catch {
      // already gone
    }
    if (this.#socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) =>
        this.#socket.addEventListener("close", resolve, { once: true })
      );
      this.#socket.close();
      await closed;
    }
    if (running) await exited;
    clearTimeout(timer);
    for (const pending of this.#pending.values()) {
      pending.reject(new Error(`${pending.method}: browser closed`));
    }
    await removeProfile(this.#profile);
  }
}

/**
 * Removes a profile folder. A helper of Chromium may still be writing its last
 * file into it (ENOTEMPTY), for longer on a loaded machine; Deno's node:fs rm
 * does not retry by itself (maxRetries), so the retries are ours: up to ~10 s.
 */
async function removeProfile(dir: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await rm(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 20 || (code !== "ENOTEMPTY" && code !== "EBUSY")) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** One tab. */
export class Page {
  #browser: Browser;
  #session: string;

  constructor(browser: Browser, session: string) {
    this.#browser = browser;
    this.#session = session;
  }

  /** Sends a protocol command to this tab. */
  send(method: string, params: Params = {}): Promise<Result> {
    return this.#browser.send(method, params, this.#session);
  }

  /** Sets the viewport: CSS pixels, scale 1, a phone (touch, mobile) below 600 px. */
  async resize(width: number, height: number): Promise<void> {
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: width < 600,
    });
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    let stop = () => {};
    const loaded = new Promise<void>((resolve) => {
      stop = this.#browser.on((method, _params, session) => {
        if (method === "Page.loadEventFired" && session === this.#session) {
          resolve();
        }
      });
    });
    try {
      const { errorText } = await this.send("Page.navigate", { url });
      if (errorText) throw new Error(`cannot load ${url}: ${errorText}`);
      await loaded;
    } finally {
      stop();
    }
  }

  /** Evaluates `expression` in the page (awaiting a promise) and returns its value. */
  async eval<T = Result>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) {
      throw new Error(
        `in the page: ${
          exceptionDetails.exception?.description ?? exceptionDetails.text
        }`,
      );
    }
    return result.value as T;
  }

  /** Waits until `expression` is truthy in the page (polling), or fails after `ms`. */
  async waitFor(expression: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await this.eval(`Boolean(${expression})`))) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${expression}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Types `text` where the focus is, as a keyboard would insert it. */
  async type(text: string): Promise<void> {
    await this.send("Input.insertText", { text });
  }

  /** Presses one key (Tab, ArrowRight, Backspace, Enter, …) at the focus. */
  async press(key: string, shift = false): Promise<void> {
    const codes: Record<string, number> = {
      Tab: 9,
      Enter: 13,
      Backspace: 8,
      ArrowLeft: 37,
      ArrowUp: 38,
      ArrowRight: 39,
      ArrowDown: 40,
      " ": 32,
    };
    const common = {
      key,
      code: key === " " ? "Space" : key,
      windowsVirtualKeyCode: codes[key],
      modifiers: shift ? 8 : 0,
    };
    await this.send("Input.dispatchKeyEvent", {
      type: "rawKeyDown",
      ...common,
    });
    await this.send("Input.dispatchKeyEvent", { type: "keyUp", ...common });
  }

  /** A PNG of the whole page, `width` CSS pixels wide. */
  async screenshot(): Promise<Uint8Array> {
    const { cssContentSize } = await this.send("Page.getLayoutMetrics");
    const { data } = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: Math.ceil(cssContentSize.width),
        height: Math.ceil(cssContentSize.height),
        scale: 1,
      },
    });
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }
}
