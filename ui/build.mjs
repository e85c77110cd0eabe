// Builds the web UI into ui/dist with esbuild (a bundle, its stylesheet and index.html; no CDN,
// nothing fetched at run time). `node ui/build.mjs`; run by `npm run build:ui`, `prepare` and `pretest`.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

const here = import.meta.dirname;
const out = path.join(here, 'dist');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
// KGRAG_UI_NOMINIFY=1 keeps function names readable in a browser profile.
const common = { outdir: out, bundle: true, target: 'es2022', minify: !process.env.KGRAG_UI_NOMINIFY, sourcemap: true, legalComments: 'linked', logLevel: 'warning' };
await build({ ...common, entryPoints: { app: path.join(here, 'src/main.ts'), 'app-style': path.join(here, 'src/app.css') }, format: 'esm' });
// The graph layout's web worker: its own classic script, since the CSP allows no blob: workers.
await build({ ...common, entryPoints: { 'layout-worker': path.join(here, 'src/graph/layout.worker.ts') }, format: 'iife' });
// esbuild names the stylesheet after its entry point.
await copyFile(path.join(out, 'app-style.css'), path.join(out, 'app.css'));
await rm(path.join(out, 'app-style.css'));
await rm(path.join(out, 'app-style.css.map'), { force: true });
await copyFile(path.join(here, 'index.html'), path.join(out, 'index.html'));
