#!/usr/bin/env node
// Entry point of the `kgrag` command: the compiled CLI (`npm run build` writes dist/).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Compiled code of kgrag and its dependencies is cached on disk (Node's compile cache, in the
// system temp folder unless NODE_COMPILE_CACHE says otherwise): later runs skip most compiling.
module.enableCompileCache?.();

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: kgrag is not built: run `npm run build` (npm ci and npm install do it).\n');
  process.exit(1);
}
await import(main.href);
