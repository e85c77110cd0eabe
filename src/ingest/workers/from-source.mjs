// Worker entry when kgrag runs from its TypeScript sources (tsx, vitest): registers tsx in this
// thread, then hands over to the real worker module. Compiled builds load parse-worker.js directly.
import { register } from 'tsx/esm/api';

register();
const { default: parse } = await import('./parse-worker.ts');
export default parse;
