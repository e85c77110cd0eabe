import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('Chinese example knowledge base (examples/zh)', () => {
  it('is what scripts/make-examples-zh.ts generates, checked without a CJK font as on a fresh machine', () => {
    // Without the font the committed PDF is checked by its text; DOCX, facts.json and the gold questions byte for byte.
    const run = () =>
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/make-examples-zh.ts', '--check'], {
        cwd: root,
        env: { ...process.env, KGRAG_CJK_FONT: path.join(root, 'no-such-font.ttc') },
        encoding: 'utf8',
      });
    expect(run).not.toThrow();
  }, 120_000);
});
