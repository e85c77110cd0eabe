/**
 * Measures the web UI on a 5,000-node neighbourhood: time from asking for the neighbourhood to the
 * first frame that shows it (fetch, graph build, WebGL render; the layout then runs in a web
 * worker), when that layout ends and the longest main-thread task meanwhile (PerformanceObserver
 * longtask), the frame rate while the camera zooms and pans, and the time from clicking a node on
 * the canvas to its details.
 *
 * The UI is served from ui/dist with the server's CSP; the API is answered by the browser test
 * driver (no database), with one synthetic neighbourhood of N nodes, so the figure is the UI's own.
 * (The real /v1/entities/{id}/neighbourhood caps one call at 500 nodes: 5,000 visible nodes come
 * from several expansions.) Headless Debian Chromium, WebGL through SwiftShader (no GPU here).
 *
 * With --trace FILE, the first run's expansion is also recorded as a Chromium trace (FILE, for
 * chrome://tracing or Perfetto), and each main-thread task over 100 ms is broken down: script,
 * the frame's commit waiting for the GPU process (with software compositing the page reads every
 * changed WebGL canvas back, so it waits until SwiftShader has drawn it), and how long the GPU
 * process ran WebGL commands meanwhile. Tracing slows everything down: the figures of a traced run
 * are for the breakdown, not for comparison.
 *
 *   npm run build:ui && npx tsx scripts/ui-bench.ts [--nodes 5000] [--runs 3] [--trace trace.json] [--dist other/ui/dist]
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UI_CSP } from '../src/api/server.ts';
import { launchChromium } from '../test/e2e/browser.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '5000' }, runs: { type: 'string', default: '3' }, trace: { type: 'string' }, dist: { type: 'string' } } });
const N = Number(values.nodes);
const RUNS = Number(values.runs);
// --dist: another build of the UI (an older commit's, to compare on the same machine and load).
const dist = path.resolve(values.dist ?? path.join(import.meta.dirname, '../ui/dist'));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

const server = createServer(async (req, res) => {
  const file = path.join(dist, req.url === '/' ? 'index.html' : path.normalize(req.url ?? '/').replace(/^[/\\]+/, ''));
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': UI_CSP });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A hub with N-1 neighbours in 8 labels, a star plus ~N/5 relationships among the neighbours. */
function neighbourhood(n: number) {
  const labels = ['Person', 'Organization', 'Location', 'Project', 'Task', 'Product', 'Event', 'Topic'];
  const node = (i: number) => ({ id: `n${i}`, name: `Entity ${i}`, type: labels[i % labels.length]!, collection: 'bench' });
  const nodes = Array.from({ length: n }, (_, i) => node(i));
  const edges = nodes.slice(1).map((x, i) => ({ type: i % 3 ? 'MENTIONS_WITH' : 'WORKS_ON', source: x.id, target: 'n0', confidence: 1 }));
  for (let i = 1; i < n / 5; i++) edges.push({ type: 'RELATED_TO', source: `n${i}`, target: `n${(i * 7919) % (n - 1) + 1}`, confidence: 0.5 });
  return { center: nodes[0]!, nodes, edges, truncated: false };
}
const big = JSON.stringify(neighbourhood(N));

/**
 * Counts animation frames for `ms` milliseconds in the page. A string, not a function: tsx's
 * transform would wrap named inner functions in a helper the page does not have.
 */
function frameCounter(ms: number): string {
  return `new Promise((resolve) => {
    let frames = 0, worst = 0, last = performance.now();
    const t0 = last;
    const tick = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      frames++;
      if (now - t0 < ${ms}) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (last - t0), worstFrameMs: worst });
    };
    requestAnimationFrame(tick);
  })`;
}

const loadBefore = loadavg()[0]!;
interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args?: { name?: string } }

/** Each renderer main-thread task over 100 ms: script, the commit's wait for the GPU process, and that process's WebGL time. */
function breakdown(trace: { traceEvents: TraceEvent[] }) {
  const events = trace.traceEvents;
  const thread = (name: string) => events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name).map((e) => `${e.pid}:${e.tid}`);
  const main = new Set(thread('CrRendererMain'));
  const gpu = new Set(thread('CrGpuMain'));
  const on = (threads: Set<string>) => events.filter((e) => e.ph === 'X' && threads.has(`${e.pid}:${e.tid}`));
  const mainEvents = on(main);
  const gpuEvents = on(gpu).filter((e) => e.name === 'WebGL');
  // Time covered by these events inside task t (nested ones counted once).
  const inside = (list: TraceEvent[], t: TraceEvent, names: string[]) => {
    let covered = 0;
    let until = t.ts;
    for (const e of list.filter((x) => names.includes(x.name) && x.ts >= t.ts && x.ts < t.ts + t.dur!).sort((a, b) => a.ts - b.ts)) {
      const end = Math.min(e.ts + (e.dur ?? 0), t.ts + t.dur!);
      if (end > until) covered += end - Math.max(e.ts, until);
      until = Math.max(until, end);
    }
    return covered / 1000;
  };
  const t0 = Math.min(...mainEvents.map((e) => e.ts));
  const tasks = mainEvents.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && (e.dur ?? 0) > 100_000);
  return tasks
    .filter((t) => !tasks.some((o) => o !== t && o.ts <= t.ts && o.ts + o.dur! >= t.ts + t.dur! && (o.ts < t.ts || o.dur! > t.dur! || o.name === 'RunTask')))
    .map((t) => ({
      atMs: Math.round((t.ts - t0) / 1000),
      taskMs: Math.round(t.dur! / 1000),
      scriptMs: Math.round(inside(mainEvents, t, ['FunctionCall', 'RunMicrotasks', 'EvaluateScript', 'V8.Execute'])),
      waitForGpuMs: Math.round(inside(mainEvents, t, ['GLES2::ReadPixels'])),
      gpuWebGlMs: Math.round(inside(gpuEvents, t, ['WebGL'])),
    }));
}

const browser = await launchChromium();
const results: Array<Record<string, number>> = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.route('**/v1/**', async (route) => {
      const url = new URL(route.request().url());
      const json = (body: unknown) => route.fulfill({ status: 200, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });
      if (url.pathname === '/v1/collections') return json({ collections: ['bench'] });
      if (url.pathname === '/v1/stats') return json({ collections: [] });
      if (url.pathname === '/v1/entities') return json({ items: [], offset: 0, limit: 40, nextOffset: null });
      if (url.pathname.endsWith('/neighbourhood')) return json(big);
      const m = url.pathname.match(/^\/v1\/entities\/([^/]+)$/);
      if (m) {
        const id = decodeURIComponent(m[1]!);
        return json({ entity: { id, name: `Entity ${id.slice(1)}`, type: 'Person', collection: 'bench', aliases: [] }, facts: [], mentions: [], relationships: [], truncated: false });
      }
      return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND","message":"bench"}}' });
    });
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');

    const tracing = values.trace !== undefined && run === 0;
    if (tracing) await browser.startTracing(page, { path: values.trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'gpu'] });
    // Data to pixels: expand, then wait for two animation frames (sigma renders on the next frame).
    // The layout then runs in the web worker; main-thread tasks over 50 ms are recorded until it ends.
    const render = await page.evaluate(async () => {
      type Task = { at: number; ms: number };
      type Frame = { at: number; ms: number; scripts: Array<{ invoker: string; ms: number }> };
      const w = window as unknown as { kgragView: { expand(id: string): Promise<void>; nodeCount(): number }; kgragGraph: { layoutRunning(): boolean } };
      const tasks: Task[] = [];
      const frames: Frame[] = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push({ at: e.startTime, ms: e.duration }))).observe({ type: 'longtask' });
      // Long animation frames name the scripts that ran in them (Chromium): what the rest of a long task was.
      new PerformanceObserver((list) => list.getEntries().forEach((e) => {
        const f = e as PerformanceEntry & { scripts: Array<{ invoker: string; duration: number }> };
        frames.push({ at: f.startTime, ms: f.duration, scripts: f.scripts.map((x) => ({ invoker: x.invoker, ms: x.duration })) });
      })).observe({ type: 'long-animation-frame' });
      const t0 = performance.now();
      await w.kgragView.expand('n0');
      const built = performance.now();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const firstFrameMs = performance.now() - t0;
      while (w.kgragGraph.layoutRunning()) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      // Each long task with the scripts the browser attributes to it; the rest of it is drawing and
      // committing the frame (with software WebGL, waiting for the GPU process to draw).
      const longTasks = tasks.filter((x) => x.at >= t0).map((x) => {
        const scripts = frames.filter((f) => f.at < x.at + x.ms && x.at < f.at + f.ms).flatMap((f) => f.scripts).filter((sc) => sc.ms >= 5);
        const scriptMs = scripts.reduce((n, sc) => n + sc.ms, 0);
        return { at: Math.round(x.at - t0), ms: Math.round(x.ms), scripts: scripts.map((sc) => `${sc.invoker} ${Math.round(sc.ms)}`).join(', '), otherMs: Math.max(0, Math.round(x.ms - scriptMs)) };
      });
      return { expandMs: built - t0, firstFrameMs, layoutMs: performance.now() - t0 - 300, nodes: w.kgragView.nodeCount(), longTasks: longTasks.length, over200: longTasks.filter((x) => x.ms > 200).length, longestTaskMs: Math.max(0, ...longTasks.map((x) => x.ms)), detail: longTasks };
    });
    console.log(`run ${run}: long tasks`, render.detail);
    if (tracing) {
      await browser.stopTracing();
      console.log('traced run: main-thread tasks over 100 ms (ms)');
      console.table(breakdown(JSON.parse(await readFile(values.trace!, 'utf8')) as { traceEvents: TraceEvent[] }));
    }

    if (run === 0) await page.screenshot({ path: path.resolve(import.meta.dirname, `../test-results/ui/bench-${N}.png`) });
    const graphBox = (await page.getByTestId('graph').boundingBox())!;
    // Click a node where sigma drew it: time until its details are on screen.
    const target = await page.evaluate(({ graphWidth, graphHeight }) => {
      const view = (window as unknown as { kgragView: { screenPosition(id: string): { x: number; y: number } | null } }).kgragView;
      for (let i = 1; i < 5000; i++) {
        const p = view.screenPosition(`n${i}`);
        if (p && p.x > 40 && p.y > 40 && p.x < graphWidth - 40 && p.y < graphHeight - 40) return { id: `n${i}`, ...p };
      }
      return null;
    }, { graphWidth: graphBox.width, graphHeight: graphBox.height });
    let clickMs = NaN;
    if (target) {
      const t0 = Date.now();
      await page.mouse.click(graphBox.x + target.x, graphBox.y + target.y);
      await page.getByTestId('entity-name').waitFor({ timeout: 10_000 }).catch(() => undefined);
      clickMs = Date.now() - t0;
    }
    // Frames counted while idle, then while zooming (wheel) and panning (drag) through sigma's mouse captor.
    const countFrames = (ms: number) => page.evaluate<{ fps: number; worstFrameMs: number }>(frameCounter(ms));
    const idle = await countFrames(1000);
    const box = (await page.getByTestId('graph').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const counting = countFrames(2000);
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 5; i++) {
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(80);
    }
    await page.mouse.down();
    for (let i = 0; i < 20; i++) await page.mouse.move(cx + i * 10, cy + i * 5);
    await page.mouse.up();
    const interact = await counting;

    if (run === 0) await page.screenshot({ path: path.resolve(import.meta.dirname, `../test-results/ui/bench-${N}-zoomed.png`) });
    results.push({ nodes: render.nodes, expandMs: render.expandMs, firstFrameMs: render.firstFrameMs, layoutMs: render.layoutMs, longTasks: render.longTasks, over200: render.over200, longestTaskMs: render.longestTaskMs, idleFps: idle.fps, interactFps: interact.fps, worstFrameMs: interact.worstFrameMs, clickToDetailsMs: clickMs });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const median = (k: string) => {
  const xs = results.map((r) => r[k]!).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
};
console.table(results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 10) / 10]))));
console.log(
  `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after; ` +
  `median of ${RUNS}: ${median('nodes')} nodes, neighbourhood to first frame ${Math.round(median('firstFrameMs'))} ms ` +
    `(fetch + graph ${Math.round(median('expandMs'))} ms; worker layout done after ${Math.round(median('layoutMs'))} ms, ` +
    `longest main-thread task ${Math.round(median('longestTaskMs'))} ms, ${median('over200')} tasks over 200 ms); ${Math.round(median('interactFps'))} fps while zooming and panning ` +
    `(worst frame ${Math.round(median('worstFrameMs'))} ms); click on a node to its details ${Math.round(median('clickToDetailsMs'))} ms`,
);
