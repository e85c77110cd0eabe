// Preloaded with `node --import`: appends every module URL Node resolves to the file named by
// KGRAG_IMPORT_LOG, so that a test can tell which packages a command really loaded.
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { log: process.env.KGRAG_IMPORT_LOG } });
